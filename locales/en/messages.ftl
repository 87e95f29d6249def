# Tangazo: what is sent for each event (English).
#
# The code collapses runs of whitespace in SMS texts, email subjects and leads (`squash`).
# An empty $body leaves no trailing space. Optional parts are chosen with
# $has_still_works / $has_outcome = "yes" or "no".

## SMS. The code appends " {email-sms-ref} {reference} {short url}".

sms-maintenance-scheduled = Planned maintenance { $window }: { $affected } unavailable.{ $has_still_works ->
        [yes] { " " }Still works: { $still_works }.
       *[no] {""}
    }
sms-maintenance-rescheduled = Maintenance moved to { $window }: { $affected } unavailable then.{ $has_still_works ->
        [yes] { " " }Still works: { $still_works }.
       *[no] {""}
    }
sms-maintenance-reminder = Reminder: { $affected } unavailable { $window }. Finish urgent payments before it starts.
sms-maintenance-started = Maintenance has started: { $affected } unavailable until { $end }.
sms-maintenance-extended = Maintenance is taking longer: { $affected } unavailable until { $end }.
sms-maintenance-overrunning = Maintenance is running late: { $affected } still unavailable. We will send a new estimate.
sms-maintenance-completed = Maintenance complete: { $affected } back{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. Check your balance.
sms-maintenance-cancelled = Planned maintenance { $window } is cancelled. Services work as usual.
sms-maintenance-updated = Maintenance update: { $body }
sms-incident-created = Service problem: { $affected }. { $body }
sms-incident-updated = Update: { $body }
sms-incident-resolved = Resolved: { $affected } working again. { $body }
sms-test-ping = Test message from { $page_name }.

## Email subjects

email-subject-maintenance-scheduled = Planned maintenance: { $title } ({ $start })
email-subject-maintenance-rescheduled = Maintenance moved: { $title } ({ $start })
email-subject-maintenance-reminder = Reminder: { $title } starts { $start }
email-subject-maintenance-started = Maintenance started: { $title }
email-subject-maintenance-extended = Maintenance extended: { $title }
email-subject-maintenance-overrunning = Maintenance running late: { $title }
email-subject-maintenance-completed = Maintenance complete: { $title }
email-subject-maintenance-cancelled = Maintenance cancelled: { $title }
email-subject-maintenance-updated = Update: { $title }
email-subject-incident-created = Service problem: { $title }
email-subject-incident-updated = Update: { $title }
email-subject-incident-resolved = Resolved: { $title }
email-subject-test-ping = Test message from { $page_name }

## Email opening sentence

email-lead-maintenance-scheduled = We have planned maintenance. { $affected } will be unavailable { $window }. Please finish urgent payments before it starts and keep some cash.
email-lead-maintenance-rescheduled = The planned maintenance has moved. { $affected } will now be unavailable { $window }.
email-lead-maintenance-reminder = A reminder: { $affected } will be unavailable { $window }. Please finish urgent payments before it starts.
email-lead-maintenance-started = The maintenance has started. { $affected } are unavailable until { $end }.
email-lead-maintenance-extended = The maintenance is taking longer than planned. { $affected } are unavailable until { $end }.
email-lead-maintenance-overrunning = The maintenance is running past its planned end. { $affected } are still unavailable. We will send a new estimate as soon as we have one.
email-lead-maintenance-completed = The maintenance is complete and { $affected } are back{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. Please check your balance and recent transactions.
email-lead-maintenance-cancelled = The maintenance planned for { $window } is cancelled. Services work as usual.
email-lead-maintenance-updated = There is an update on the maintenance.
email-lead-incident-created = We are dealing with a problem affecting { $affected }.
email-lead-incident-updated = There is an update on the problem affecting { $affected }.
email-lead-incident-resolved = The problem is resolved and { $affected } work again.
email-lead-test-ping = This is a test message from { $page_name }. You can ignore it.

## The text an update gets when staff write none

default-body-maintenance-scheduled = Maintenance is planned: { $window }.
default-body-maintenance-rescheduled = The maintenance has moved to { $window }.
default-body-maintenance-reminder = Reminder: maintenance { $window }.
default-body-maintenance-started = The maintenance has started.
default-body-maintenance-extended = The maintenance is taking longer. New window: { $window }.
default-body-maintenance-overrunning = The maintenance is running past its planned end. We will give a new estimate soon.
default-body-maintenance-completed = The maintenance is complete and services are back.
default-body-maintenance-cancelled = The maintenance has been cancelled. Services work as usual.
default-body-maintenance-updated = We have an update.
default-body-incident-created = We are looking into a problem.
default-body-incident-updated = We have an update.
default-body-incident-resolved = The problem is fixed and services are back.
default-body-test-ping = This is a test message.

## Labels of the email layout

email-when = When
email-affected = Affected
email-still-works = Still works
email-reference = Reference
email-check-at = Check it is official at
email-details = Details and updates
email-calendar = Add to calendar
email-fraud = We never ask for your PIN or ask you to send money to restore service.
email-unsubscribe = Unsubscribe
# Short label before the reference code at the end of every SMS.
email-sms-ref = Ref

# Between the names in a list of services ("Send money, Pay bill").
list-separator = {", "}
