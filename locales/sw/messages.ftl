# Tangazo: what is sent for each event (Kiswahili).

## SMS

sms-maintenance-scheduled = Matengenezo yaliyopangwa { $window }: { $affected } hazitapatikana.{ $has_still_works ->
        [yes] { " " }Bado zinafanya kazi: { $still_works }.
       *[no] {""}
    }
sms-maintenance-rescheduled = Matengenezo yamehamishiwa { $window }: { $affected } hazitapatikana wakati huo.{ $has_still_works ->
        [yes] { " " }Bado zinafanya kazi: { $still_works }.
       *[no] {""}
    }
sms-maintenance-reminder = Kumbusho: { $affected } hazitapatikana { $window }. Maliza malipo ya dharura kabla ya hapo.
sms-maintenance-started = Matengenezo yameanza: { $affected } hazipatikani hadi { $end }.
sms-maintenance-extended = Matengenezo yanachukua muda zaidi: { $affected } hazipatikani hadi { $end }.
sms-maintenance-overrunning = Matengenezo yamechelewa: { $affected } bado hazipatikani. Tutatuma makadirio mapya.
sms-maintenance-completed = Matengenezo yamekamilika: { $affected } zimerudi{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. Hakiki salio lako.
sms-maintenance-cancelled = Matengenezo ya { $window } yamefutwa. Huduma zinaendelea kama kawaida.
sms-maintenance-updated = Taarifa ya matengenezo: { $body }
sms-incident-created = Tatizo la huduma: { $affected }. { $body }
sms-incident-updated = Taarifa: { $body }
sms-incident-resolved = Limetatuliwa: { $affected } zinafanya kazi tena. { $body }
sms-test-ping = Ujumbe wa majaribio kutoka { $page_name }.

## Email subjects

email-subject-maintenance-scheduled = Matengenezo yaliyopangwa: { $title } ({ $start })
email-subject-maintenance-rescheduled = Matengenezo yamehamishwa: { $title } ({ $start })
email-subject-maintenance-reminder = Kumbusho: { $title } yanaanza { $start }
email-subject-maintenance-started = Matengenezo yameanza: { $title }
email-subject-maintenance-extended = Matengenezo yameongezewa muda: { $title }
email-subject-maintenance-overrunning = Matengenezo yamechelewa: { $title }
email-subject-maintenance-completed = Matengenezo yamekamilika: { $title }
email-subject-maintenance-cancelled = Matengenezo yamefutwa: { $title }
email-subject-maintenance-updated = Taarifa mpya: { $title }
email-subject-incident-created = Tatizo la huduma: { $title }
email-subject-incident-updated = Taarifa mpya: { $title }
email-subject-incident-resolved = Limetatuliwa: { $title }
email-subject-test-ping = Ujumbe wa majaribio kutoka { $page_name }

## Email opening sentence

email-lead-maintenance-scheduled = Tumepanga matengenezo. { $affected } hazitapatikana { $window }. Tafadhali maliza malipo ya dharura kabla ya muda huo na uwe na pesa taslimu.
email-lead-maintenance-rescheduled = Matengenezo yaliyopangwa yamehamishwa. { $affected } sasa hazitapatikana { $window }.
email-lead-maintenance-reminder = Kumbusho: { $affected } hazitapatikana { $window }. Tafadhali maliza malipo ya dharura kabla ya muda huo.
email-lead-maintenance-started = Matengenezo yameanza. { $affected } hazipatikani hadi { $end }.
email-lead-maintenance-extended = Matengenezo yanachukua muda zaidi ya uliopangwa. { $affected } hazipatikani hadi { $end }.
email-lead-maintenance-overrunning = Matengenezo yamepita muda uliopangwa. { $affected } bado hazipatikani. Tutatuma makadirio mapya mara tu tutakapoyapata.
email-lead-maintenance-completed = Matengenezo yamekamilika na { $affected } zimerudi{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. Tafadhali hakiki salio lako na miamala yako ya karibuni.
email-lead-maintenance-cancelled = Matengenezo yaliyopangwa { $window } yamefutwa. Huduma zinaendelea kama kawaida.
email-lead-maintenance-updated = Kuna taarifa mpya kuhusu matengenezo.
email-lead-incident-created = Tunashughulikia tatizo linaloathiri { $affected }.
email-lead-incident-updated = Kuna taarifa mpya kuhusu tatizo linaloathiri { $affected }.
email-lead-incident-resolved = Tatizo limetatuliwa na { $affected } zinafanya kazi tena.
email-lead-test-ping = Huu ni ujumbe wa majaribio kutoka { $page_name }. Unaweza kuupuuza.

## Default update texts

default-body-maintenance-scheduled = Matengenezo yamepangwa: { $window }.
default-body-maintenance-rescheduled = Matengenezo yamehamishiwa { $window }.
default-body-maintenance-reminder = Kumbusho: matengenezo { $window }.
default-body-maintenance-started = Matengenezo yameanza.
default-body-maintenance-extended = Matengenezo yanachukua muda zaidi. Muda mpya: { $window }.
default-body-maintenance-overrunning = Matengenezo yamepita muda uliopangwa. Tutatoa makadirio mapya hivi karibuni.
default-body-maintenance-completed = Matengenezo yamekamilika na huduma zimerudi.
default-body-maintenance-cancelled = Matengenezo yamefutwa. Huduma zinaendelea kama kawaida.
default-body-maintenance-updated = Kuna taarifa mpya.
default-body-incident-created = Tunachunguza tatizo.
default-body-incident-updated = Kuna taarifa mpya.
default-body-incident-resolved = Tatizo limetatuliwa na huduma zimerudi.
default-body-test-ping = Huu ni ujumbe wa majaribio.

## Labels of the email layout

email-when = Lini
email-affected = Zilizoathirika
email-still-works = Bado zinafanya kazi
email-reference = Namba ya kumbukumbu
email-check-at = Hakiki kama ni rasmi kwenye
email-details = Maelezo na taarifa mpya
email-calendar = Weka kwenye kalenda
email-fraud = Hatutakuomba PIN yako wala kukutaka utume pesa ili huduma irudi.
email-unsubscribe = Jiondoe
email-sms-ref = Kumb.

# Between the names in a list of services ("Send money, Pay bill").
list-separator = {", "}
