# The staff console: the words of its pages, buttons and messages. State names and event codes
# (in_progress, maintenance.started) are shown as they are.

## The frame of every page

console-title = Tangazo console
console-nav-new-notice = New notice
console-nav-services = Services
console-nav-subscribers = Subscribers
console-nav-billers = Billers
console-nav-audit = Audit log
console-nav-tokens = Tokens
console-nav-password = Password
console-nav-public = Public page
console-log-out = Log out

## Refusals and results

console-error-title = Refused
console-error-back = Back to the console
console-error-csrf = The form expired or did not come from this console (missing or wrong CSRF token). Go back, reload the page and try again.
# $needed, $has: role codes (viewer, editor, publisher, admin)
console-error-role = This needs the { $needed } role; you are { $has }.
# $message: the store's reason, in English
console-error-not-done = Not done: { $message }.
console-already-done = Already done: this form was sent before (a reload, the back button or a second click), so nothing was done or sent again. This page shows how things stand now.
console-saved = Saved.

## Log in, password

console-login-title = Log in
console-login-heading = Staff log in
console-login-email = Email
console-login-password = Password
console-login-button = Log in
console-login-expired = The login form expired. Please try again.
console-login-throttled = Too many login attempts from your address. Wait 15 minutes and try again.
console-login-refused = Wrong email or password. After { $n } wrong passwords an account is locked for { $minutes } minutes.
console-password-title = Change password
console-password-current = Current password
console-password-new = New password
console-password-new-hint = at least 12 characters
# $why: why the store refused it, in English ("is 8 characters; use at least 12")
console-password-refused = New password { $why }.
console-password-wrong = The current password is wrong.

## Dashboard

console-dashboard-title = Notices
console-dashboard-new-notice = New notice
console-dashboard-col-title = Title
console-dashboard-col-kind = Kind
console-dashboard-col-state = State
console-dashboard-col-window = Window
console-dashboard-col-reference = Reference
console-dashboard-overrunning = overrunning
console-dashboard-empty = No notices yet.

## The announcement form

console-form-new-heading = New notice
console-form-edit-heading = Edit draft { $reference }
console-form-nothing-saved = Nothing was saved: { $n } { $n ->
        [one] field needs
       *[other] fields need
    } attention (marked below).
console-form-kind = Kind
console-form-maintenance = Planned maintenance
console-form-incident = Incident
console-form-title = Title
console-form-required = required
console-form-optional = optional: the default language is used when empty
console-form-affected = Affected services
console-form-impact-on = Impact on
console-form-starts = Starts
console-form-ends = Ends
console-form-auto-start = Start automatically at the planned start
console-form-auto-complete = Complete automatically at the planned end
console-form-still-works = What still works
console-form-still-works-hint = e.g. cash at agents
console-form-announcement = Announcement
console-form-overrides = SMS and email text overrides
console-form-overrides-hint = Replace the template text. Placeholders: {"{"}title{"}"} {"{"}window{"}"} {"{"}start{"}"} {"{"}end{"}"} {"{"}affected{"}"} {"{"}still_works{"}"} {"{"}reference{"}"} {"{"}verify_url{"}"} {"{"}page_url{"}"} {"{"}body{"}"}. Write {"{{"} for a literal {"{"}, {"}}"} for {"}"}. The SMS always ends with the reference and verify link.
console-form-sms = SMS
console-form-email-opening = Email opening
console-form-save-draft = Save draft
console-form-save-changes = Save changes

## The preview of what a notice sends

console-preview-title = Preview
console-preview-press = Press Preview to see the SMS, email and segment count in each language.
console-preview-fix-first = Fix the form first:
console-preview-heading = What customers will receive
console-preview-cannot-send = Cannot be sent as it is:
console-preview-sms = SMS
console-preview-segments = { $n } { $n ->
        [one] segment
       *[other] segments
    }
console-preview-septets = septets
console-preview-ucs2-units = UCS-2 units
console-preview-script = written in a script GSM-7 cannot carry
console-preview-forcing = forcing UCS-2:
console-preview-remove = Remove them from the SMS
console-preview-email = Email
console-preview-subject = Subject:
console-preview-reference-note = The reference code is given when the notice is saved; { $placeholder } stands in for it here.

## A notice's page

console-notice-overrunning = overrunning
console-notice-reference = Reference
console-notice-public-page = public page
console-notice-edit-draft = Edit draft
console-notice-window = Window
console-notice-affected = Affected
console-notice-still-works = Still works
console-notice-written-by = Written by
console-notice-actions = Actions
console-notice-who-is-told = Who is told:
console-notice-told-at-once = the public page, JSON, feeds and calendar at once;
# After a count of SMS subscribers
console-notice-told-sms = SMS and
# After a count of email subscribers
console-notice-told-email = email subscribers and
# After a count of webhook endpoints
console-notice-told-endpoints = biller webhook endpoint(s) follow the affected services.
console-notice-actions-note = Each action queues its SMS and email in the same transaction; an unsent message of an older update is superseded by the newer one. Each form works once, and only on the notice as this page shows it: after a change, reload the page. Every action is in the audit log.
console-notice-four-eyes = Four-eyes approval is on: another publisher must publish this notice.
console-notice-new-end = New end
console-notice-new-start = New start
console-notice-status = Status
console-notice-unchanged = (unchanged)
console-notice-message = Message
console-notice-required = required
console-notice-optional-standard = optional: a standard text is used
console-notice-i-confirm = I confirm:
# Around the role code: "No actions: … your role (viewer) cannot change it."
console-notice-no-actions-before = No actions: the notice is finished, or your role
console-notice-no-actions-after = cannot change it.
console-notice-changes = Changes since it was written
# Around who wrote the draft
console-notice-no-changes-before = None: this is the draft as
console-notice-no-changes-after = wrote it.
console-notice-col-when = When
console-notice-col-who = Who
console-notice-col-field = Field
console-notice-col-before = Before
console-notice-col-after = After
console-notice-deliveries = Deliveries
console-notice-nothing-queued = Nothing queued: no subscriber follows the affected services, or the notice is not published.
console-notice-col-update = Update
console-notice-col-channel = Channel
console-notice-col-sent = Sent
console-notice-col-pending = Pending
console-notice-col-failed = Failed
console-notice-col-superseded = Superseded
console-notice-col-delivered = Delivered
# After a count of messages the network reported undelivered
console-notice-not-delivered = not
console-notice-recent-failures = Recent failures
console-notice-also-json = Also as JSON:
console-notice-timeline = Timeline
console-notice-not-published = Not published yet.
console-eta-seconds = about { $n } s
console-eta-minutes = about { $n } min
# $hours: a decimal, "1.5"
console-eta-hours = about { $hours } h

## Lifecycle buttons, what each does (before what it sends), and update statuses

console-action-publish = Publish
console-action-discard = Discard draft
console-action-start = Start now
console-action-extend = Extend
console-action-reschedule = Reschedule
console-action-update = Post update
console-action-cancel = Cancel maintenance
console-action-complete = Complete
console-action-resolve = Resolve
console-does-publish = publish this notice as official; the public page shows it now
console-does-discard = discard this draft: nothing is sent, and the public page never shows it
console-does-tell = the public page changes now
console-does-complete = services are back; tell everyone
console-does-resolve = the problem is fixed; tell everyone
console-status-in-progress = In progress
console-status-verifying = Checking services
console-status-investigating = Investigating
console-status-identified = Cause found
console-status-monitoring = Fixed, monitoring
console-check-older-page = This form is from an older page; it was not sent. Check the notice below, then try again.
console-check-tick = Tick the confirmation box: this changes what customers see.
console-check-write-update = write the update customers will read
console-check-new-end = give the new end
console-check-new-window = starts_at and ends_at: give the new window

## What an action sends ($count: the number written with separators; $n selects the plural)

console-reach-sms = { $count } SMS
console-reach-email = { $count } { $n ->
        [one] email
       *[other] emails
    }
console-reach-webhook = { $count } { $n ->
        [one] webhook
       *[other] webhooks
    }
# The last two items of a list: "12,400 SMS, 3,100 emails and 4 webhooks"
console-reach-list = { $init } and { $last }
console-reach-nothing-sent = Nothing is sent: no subscriber or biller follows the affected services.
console-reach-sends = This sends { $list } now.
console-reach-sends-held-only = This sends nothing now; the { $sms } wait for the end of the quiet hours ({ $at }).
console-reach-sends-held = This sends { $list } now; the { $sms } wait for the end of the quiet hours ({ $at }).
console-reach-nothing-queued = Nothing was queued: no subscriber or biller follows the affected services.
console-reach-queued = Queued { $list }.
console-reach-queued-held = Queued { $list }; the SMS go out when the quiet hours end ({ $at }).
console-reach-discarded = Done: draft discarded. Nothing was sent, and the public page never showed it.
# $event: the event's code (maintenance.started)
console-reach-done = Done: { $event } (update #{ $sequence }). The public page shows it now. { $queued }

## Services

console-services-title = Services
console-services-intro = The page shows services in this order, by group. A status set here shows on the page until a notice that affects the service says worse.
console-services-col-code = Code
console-services-col-names = Name, in each language
console-services-col-group = Group
console-services-col-position = Position
console-services-col-status = Status
# "Name of pay-bill in Kiswahili"
console-services-name-of = Name of
console-services-name-in = in
console-services-group-of = Group of
console-services-position-of = Position of
console-services-status-of = Status of
console-services-page-shows = page shows:
console-services-save = Save
console-services-whole-number = position must be a whole number
console-services-saved = Saved { $code }.

## Subscribers and their import

console-subscribers-title = Subscribers
console-subscribers-import = Import a CSV
console-subscribers-by-channel = By channel, language and state
console-subscribers-col-channel = Channel
console-subscribers-col-language = Language
console-subscribers-col-state = State
console-subscribers-col-count = Count
console-subscribers-empty = No subscribers yet.
console-subscribers-by-service = Confirmed, by service followed
console-subscribers-col-service = Service
console-subscribers-col-sms = SMS
console-subscribers-col-email = Email
console-subscribers-find = Find one subscriber
console-subscribers-address-label = Exact phone number or email address
console-subscribers-find-button = Find
console-subscribers-address = Address
console-subscribers-follows = Follows
console-subscribers-signed-up = Signed up
console-subscribers-confirmed = Confirmed
console-subscribers-all-services = all services
console-subscribers-not-yet = not yet
console-subscribers-none = No subscriber has the address { $address }.
console-import-title = Import subscribers
console-import-intro-file = A CSV file (UTF-8) with a header row.
console-import-intro-required = Required columns:
console-import-intro-address = (phone number or email) and
console-import-intro-yes = on every row: import only people who asked for notices
console-import-intro-optional = Optional:
console-import-intro-separated = codes separated by
console-import-intro-empty = empty for all
console-import-checked-first = The whole file is checked first; one wrong row stops the import and nothing is stored. Addresses already subscribed are left as they are, so importing a file twice changes nothing.
console-import-file = File
console-import-button = Import
console-import-failed = The upload failed: { $why }
console-import-expired = The form expired (missing or wrong CSRF token). Reload and try again.
console-import-choose = choose a CSV file
console-import-done = { $rows } rows: { $new } new subscribers, { $present } already present.

## Audit log

console-audit-title = Audit log
console-audit-actor = Actor
console-audit-action = Action
console-audit-target = Target
console-audit-filter = Filter
console-audit-col-when = When (UTC)
console-audit-col-who = Who
console-audit-col-before-after = Before → after
console-audit-empty = Nothing matches.

## API tokens

console-tokens-title = API tokens
console-tokens-intro-before = Tokens of the staff API
console-tokens-intro-middle = and of billers. A token is shown only once, when it is made
console-tokens-intro-after = only a hash of it is kept. Revoke a token that leaked or is no longer used: it stops working at once.
console-tokens-col-name = Name
console-tokens-col-role = Role
console-tokens-col-id = Id
console-tokens-col-created = Created
console-tokens-col-state = State
console-tokens-revoked = revoked
console-tokens-i-confirm = I confirm:
# "token NAME stops working at once"
console-tokens-token = token
console-tokens-stops = stops working at once
console-tokens-revoke = Revoke
console-tokens-empty = No tokens yet.
console-tokens-revoked-flash = Token '{ $name }' revoked: it no longer works.
console-tokens-biller = biller { $biller }
console-tokens-no-such = No token has the id '{ $id }'.
console-tokens-tick = Tick the confirmation box: a revoked token stops working at once.

## Billers and their webhook endpoints

console-billers-heading = Billers and webhooks
console-billers-intro = Utilities, banks and merchants get every update of the notices they follow as signed webhooks (Standard Webhooks). A biller can manage its own endpoints with its own API token.
console-billers-contact = Contact
console-billers-id = id
console-billers-no-endpoints = No endpoints yet.
console-billers-col-endpoint = Endpoint
console-billers-col-events = Events
console-billers-col-services = Services
console-billers-col-state = State
console-billers-all = all
console-billers-failing = failing
console-billers-enabled = enabled
console-billers-disabled = disabled
console-billers-refused = refused:
console-billers-add = Add an endpoint
console-billers-url = URL
console-billers-description = Description
console-billers-contact-email = Contact email
console-billers-contact-hint = told if the endpoint is disabled
console-billers-event-types = Event types
console-billers-events-hint = comma-separated; empty for all
console-billers-services-hint = codes, comma-separated; empty for all
console-billers-rate = Rate limit
console-billers-rate-hint = requests per second; 0 for none
console-billers-ed25519 = Also sign with ed25519 (v1a)
console-billers-add-button = Add endpoint
console-billers-new-biller = New biller
console-billers-name = Name
console-billers-create = Create biller
console-billers-went-wrong = Something went wrong; it is in the log.
console-billers-not-email = '{ $contact }' is not an email address
console-billers-rate-not-number = '{ $raw }' is not a whole number of requests per second (0 for none)
console-billers-created = Biller { $name } created.
console-billers-endpoint-created = Endpoint { $url } created. Its signing secret, shown only now: { $secret }
console-endpoint-title = Endpoint
console-endpoint-failing-since = failing since
console-endpoint-enabled = Enabled
console-endpoint-disabled = Disabled
console-endpoint-refused-before = Refused before sending:
console-endpoint-events = Events:
console-endpoint-services = services:
console-endpoint-all = all
console-endpoint-rate = rate limit:
console-endpoint-none = none
console-endpoint-contact = contact
console-endpoint-key = ed25519 public key:
# Around the time: "The previous secret also signs until Wed, 2 Dec, 01:36 EAT."
console-endpoint-previous-before = The previous secret also signs until
console-endpoint-previous-after = .
console-endpoint-test = Send test event
console-endpoint-rotate = Rotate secret
console-endpoint-disable = Disable
console-endpoint-replay-missed = send what it missed
console-endpoint-enable = Enable
console-endpoint-recover-label = Send again every failed delivery since
console-endpoint-recover-hint = 2026-04-18T00:00 in the page's zone, or RFC 3339
console-endpoint-recover = Recover
console-endpoint-deliveries = Deliveries
console-endpoint-none-yet = None yet.
console-endpoint-col-update = Update
console-endpoint-col-state = State
console-endpoint-col-attempts = Attempts
console-endpoint-webhook-id = webhook-id
console-endpoint-next-try = next try
console-endpoint-send-again = Send again
console-endpoint-test-sent = Test event sent: HTTP { $status } in { $ms } ms.
console-endpoint-test-failed = Test event not delivered: { $error }
console-endpoint-rotated = New secret, shown only now: { $secret }. The old one also signs until { $until }.
console-endpoint-disabled-flash = Disabled: updates wait until it is enabled again.
console-endpoint-enabled-flash = Enabled; { $n } missed update(s) queued.
console-endpoint-replayed = Queued to be sent again.
console-endpoint-no-such-delivery = no such delivery, or it is pending already
console-endpoint-recovered = { $n } failed delivery(ies) queued again.

## When the database cannot serve

console-unavailable-title = Database unavailable
console-unavailable-heading = The database is unavailable
console-unavailable-nothing-saved = Tangazo cannot use its database just now, so nothing can be saved or changed, and what you just sent was not saved.
console-unavailable-page-keeps = The public status page keeps showing what it showed before, and messages already queued go out once the database is back.
console-unavailable-try-again = Try again in a minute. If this lasts, check the database server and the disk it writes to.
console-unavailable-back = Back to the console
