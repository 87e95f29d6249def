# Tangazo: sign-up, confirmation, manage and unsubscribe (English).

## Result pages and errors

# Followed by ": " and the reason the address was refused.
subscribe-bad-address = Please check the phone number or email address
subscribe-try-later = Too many sign-ups right now. Please try again later.
subscribe-check-email = We sent you an email. Open the link in it to confirm.
subscribe-check-phone = We sent you an SMS with a 6-digit code. Type it here to confirm.
subscribe-already = This address is already subscribed. We sent nothing new.
subscribe-confirmed = You are subscribed. We will tell you about maintenance and problems.
subscribe-link-expired = This link has expired. Please sign up again.
subscribe-link-bad = This link is not valid.
# Followed by " " and the number of tries left.
subscribe-wrong-code = That code is wrong. Tries left:
subscribe-code-expired = This code can no longer be used. Please sign up again.
subscribe-unsubscribed = You are unsubscribed. You will get no more notices.
# Heading; the text adds " (masked address)".
subscribe-unsubscribe-q = Stop all notices to this address?
subscribe-unknown-link = This link is not valid any more.

## Confirmation email. Body: "{email-body}\n\n{link}\n\n{manage}: {url}\n{not-you}: {url}\n"

subscribe-email-subject = Confirm your subscription
subscribe-email-body = Please confirm that you want notices about maintenance and problems. Open this link:
subscribe-not-you = Did not sign up? Stop these emails
subscribe-manage = Choose language and services

## Unsubscribe-by-address message. Email body "{stop-body}\n\n{link}\n"; SMS "{page name}: {stop-body} {link}"

subscribe-stop-subject = Stop notices
subscribe-stop-body = Open this link to stop our notices

## Confirmation SMS, sent as "{page name} {subscribe-sms-code}". $hours is a number.

subscribe-sms-code = code: { $code }. Type it on the page to get notices. It expires in { $hours } h.

## Other messages of the sign-up flow

# save_manage: the flash after saving the manage page.
subscribe-saved = Saved.
# unsubscribe_request: the answer whether or not the address is subscribed.
subscribe-unsubscribe-sent = If this address gets our notices, we have sent it a link to stop them.

## Why a typed address was refused (after subscribe-bad-address)

subscribe-address-not-email = '{ $shown }' is not an email address
subscribe-address-not-phone = '{ $shown }' is not a phone number
subscribe-address-invalid-phone = '{ $shown }' is not a valid phone number
subscribe-address-country-refused = numbers from { $country } are not accepted here (allowed: { $allowed })
subscribe-address-country-unknown = numbers from that country are not accepted here (allowed: { $allowed })

# The sign-up form's error: subscribe-bad-address, then why.
subscribe-address-refused = { $label }: { $reason }
