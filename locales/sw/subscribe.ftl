# Tangazo: sign-up, confirmation, manage and unsubscribe (Kiswahili).

## Result pages and errors

subscribe-bad-address = Tafadhali hakiki namba ya simu au anwani ya barua pepe
subscribe-try-later = Usajili mwingi sana kwa sasa. Tafadhali jaribu tena baadaye.
subscribe-check-email = Tumekutumia barua pepe. Fungua kiungo ndani yake kuthibitisha.
subscribe-check-phone = Tumekutumia SMS yenye namba ya tarakimu 6. Iandike hapa kuthibitisha.
subscribe-already = Anwani hii tayari imesajiliwa. Hatujatuma kitu kipya.
subscribe-confirmed = Umesajiliwa. Tutakujulisha kuhusu matengenezo na matatizo.
subscribe-link-expired = Kiungo hiki kimepitwa na wakati. Tafadhali jisajili tena.
subscribe-link-bad = Kiungo hiki si sahihi.
subscribe-wrong-code = Namba hiyo si sahihi. Majaribio yaliyobaki:
subscribe-code-expired = Namba hii haiwezi kutumika tena. Tafadhali jisajili tena.
subscribe-unsubscribed = Umejiondoa. Hutapata taarifa zaidi.
subscribe-unsubscribe-q = Kusitisha taarifa zote kwa anwani hii?
subscribe-unknown-link = Kiungo hiki si halali tena.

## Confirmation email

subscribe-email-subject = Thibitisha usajili wako
subscribe-email-body = Tafadhali thibitisha kuwa unataka taarifa kuhusu matengenezo na matatizo. Fungua kiungo hiki:
subscribe-not-you = Hukujisajili? Sitisha barua hizi
subscribe-manage = Chagua lugha na huduma

## Unsubscribe-by-address message

subscribe-stop-subject = Sitisha taarifa
subscribe-stop-body = Fungua kiungo hiki kusitisha taarifa zetu

## Confirmation SMS, sent as "{page name} {subscribe-sms-code}"

subscribe-sms-code = namba: { $code }. Iandike kwenye ukurasa upate taarifa. Inaisha baada ya saa { $hours }.

## Other messages of the sign-up flow

subscribe-saved = Imehifadhiwa.
subscribe-unsubscribe-sent = Kama anwani hii inapata taarifa zetu, tumeitumia kiungo cha kuzisitisha.

## Kwa nini anwani imekataliwa

subscribe-address-not-email = '{ $shown }' si anwani ya barua pepe
subscribe-address-not-phone = '{ $shown }' si namba ya simu
subscribe-address-invalid-phone = '{ $shown }' si namba halali ya simu
subscribe-address-country-refused = namba kutoka { $country } hazikubaliki hapa (zinazokubaliwa: { $allowed })
subscribe-address-country-unknown = namba kutoka nchi hiyo hazikubaliki hapa (zinazokubaliwa: { $allowed })

# The sign-up form's error: subscribe-bad-address, then why.
subscribe-address-refused = { $label }: { $reason }
