"""Live sync: Microsoft Graph change notifications, with polling as the fallback (issue 23)."""
