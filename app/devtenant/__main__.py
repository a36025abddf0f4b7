"""`python -m app.devtenant [--port 5443 (or DEVTENANT_PORT)] [--cert-dir instance/devtenant]`: serve the dev tenant."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app.config import DEV_TENANT_PORT
from app.devtenant.app import DevTenantRefused
from app.devtenant.seed import DEFAULT_SEED
from app.devtenant.server import DEFAULT_CERT_DIR, DevTenantServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.devtenant", description="Serve the local Entra ID + Graph stand-in over HTTPS."
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEVTENANT_PORT") or DEV_TENANT_PORT))
    parser.add_argument("--cert-dir", type=Path, default=DEFAULT_CERT_DIR)
    parser.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    try:
        server = DevTenantServer(port=args.port, cert_dir=args.cert_dir, seed=args.seed)
    except DevTenantRefused as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Dev tenant at {server.url} (tenant {server.tenant_id}); trust {server.ca_path}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
