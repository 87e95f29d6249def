# Tangazo: the public status page (English).

## The page's fixed labels

page-services = Services
page-active = Happening now
page-upcoming = Planned maintenance
page-history = Recent history
page-no-history = No notices in the recent past.
page-affected = Affected
page-still-works = Still works
page-reference = Reference
page-details = Details and updates
page-updates = Updates
page-window = Window
page-verify-title = Check a message
page-verify-prompt = Got an SMS or email about maintenance? Enter its reference code to check it is official.
page-verify-button = Check
page-verify-official = is an official notice
page-verify-unknown = No official notice has this reference code. Treat the message as fake.
page-fraud-warning = We never ask for your PIN or ask you to send money to restore service.
page-not-found-title = Not found
page-not-found-body = There is no page at this address.
page-back = Back to the status page
page-machine-readable = Feeds and data
page-updated = Updated
page-overrunning = Running late
page-times-in = Times are in
page-nothing-planned = No maintenance planned.
page-all-notices = All notices
page-all-active = Everything happening now
page-all-upcoming = All planned maintenance
page-all-history = All recent history

## Sign-up pages

page-subscribe-title = Get notices by SMS or email
page-subscribe-intro = We tell you before planned maintenance, when it starts and when services are back.
page-subscribe-address = Phone number or email address
page-subscribe-language = Language
page-subscribe-services = Which services
page-subscribe-all = All services
page-subscribe-only = Or only these
page-subscribe-consent = We send a code or a link to confirm. You can stop at any time (reply STOP or use the link in every email).
page-subscribe-button = Subscribe

## Unsubscribe by address

page-unsubscribe-heading = Stop notices
page-unsubscribe-intro = Type the phone number or email address that gets our notices. We send it a link; open it to stop them.
page-unsubscribe-label = Phone number or email address
page-unsubscribe-button = Send me the link

## Manage page

page-manage-heading = Your notices
page-manage-none-means-all = tick none for all
page-manage-save = Save
page-manage-unsubscribe = Unsubscribe

## Result page

page-message-code-label = The 6-digit code we sent
page-message-code-button = Confirm
page-message-unsubscribe-button = Unsubscribe

## A service's status

status-operational = Working
status-under-maintenance = Under maintenance
status-degraded-performance = Slow
status-partial-outage = Partly unavailable
status-major-outage = Unavailable

## A notice's state

state-draft = Draft
state-scheduled = Scheduled
state-in-progress = In progress
state-verifying = Checking services
state-completed = Completed
state-cancelled = Cancelled
state-investigating = Investigating
state-identified = Cause found
state-monitoring = Fixed, monitoring
state-resolved = Resolved

## The banner at the top of /

banner-none = All services are working
banner-maintenance = Maintenance in progress
banner-minor = Some services are slow
banner-major = Some services are unavailable
banner-critical = Services are unavailable
banner-late = Maintenance is running late

## An update's label in a notice's timeline

event-maintenance-scheduled = Announced
event-maintenance-rescheduled = Moved
event-maintenance-reminder = Reminder
event-maintenance-started = Started
event-maintenance-extended = Extended
event-maintenance-overrunning = Running late
event-maintenance-completed = Completed
event-maintenance-cancelled = Cancelled
event-maintenance-updated = Update
event-incident-created = Reported
event-incident-updated = Update
event-incident-resolved = Resolved
event-test-ping = Test

## Durations (Clockface::minutes). The code joins the parts present with a space, in the
## order days, hours, minutes (minutes only when there are no days); $n is a number.

duration-days =
    { $n ->
        [one] { $n } day
       *[other] { $n } days
    }
duration-hours = { $n } h
duration-minutes = { $n } min
duration-under-a-minute = under a minute
# Between the parts of a duration ("1 day 2 h").
duration-separator = {" "}

## How a finished window ended (Clockface::outcome); $duration is a duration above.

outcome-early = Finished { $duration } early
outcome-late = Finished { $duration } late
outcome-on-time = Finished on time

## Clockface::ends: $announced and $ended are instants ("Sun 19 Apr 12:00 EAT").

ends = Announced to end { $announced }; ended { $ended }

## Clockface::overrun: $late is a duration, $planned an instant.

overrun = Running { $late } past the planned end ({ $planned }). We will post a new estimate.

## The language's own name, for language switchers

language-name = English
# The CLDR locale whose date and time patterns, day and month names this language uses.
cldr-locale = en-001
