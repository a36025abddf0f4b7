// Every occurrence of every event in an ICS file (stdin), as Thunderbird's parser ical.js sees it:
// RRULE and EXDATE by the iterator, moved occurrences by relateException + getOccurrenceDetails.
// Prints JSON lines: {uid, status, allDay, start, end} with instants as UTC ISO strings, dates as dates.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const [windowStart, windowEnd] = process.argv.slice(2).map((iso) => ICAL.Time.fromJSDate(new Date(iso), true));
const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
const masters = new Map();
const exceptions = [];
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (event.isRecurrenceException()) exceptions.push(event);
  else masters.set(event.uid, event);
}
for (const exception of exceptions) masters.get(exception.uid).relateException(exception);

const show = (time) => (time.isDate ? time.toString() : time.toJSDate().toISOString());
const status = (component) => String(component.getFirstPropertyValue("status") || "CONFIRMED");
for (const event of masters.values()) {
  if (!event.isRecurring()) {
    console.log(JSON.stringify({ uid: event.uid, status: status(event.component), allDay: event.startDate.isDate,
      start: show(event.startDate), end: show(event.endDate) }));
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next && next.compare(windowEnd) < 0; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    if (details.startDate.compare(windowStart) < 0) continue;
    console.log(JSON.stringify({ uid: event.uid, status: status(details.item.component),
      allDay: details.startDate.isDate, start: show(details.startDate), end: show(details.endDate) }));
  }
}
