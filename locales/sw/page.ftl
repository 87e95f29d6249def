# Tangazo: the public status page (Kiswahili).

## The page's fixed labels

page-services = Huduma
page-active = Kinachoendelea sasa
page-upcoming = Matengenezo yaliyopangwa
page-history = Historia ya karibuni
page-no-history = Hakuna matangazo ya hivi karibuni.
page-affected = Zilizoathirika
page-still-works = Bado zinafanya kazi
page-reference = Namba ya kumbukumbu
page-details = Maelezo na taarifa mpya
page-updates = Taarifa
page-window = Muda
page-verify-title = Hakiki ujumbe
page-verify-prompt = Umepokea SMS au barua pepe kuhusu matengenezo? Weka namba yake ya kumbukumbu uhakiki kama ni rasmi.
page-verify-button = Hakiki
page-verify-official = ni tangazo rasmi
page-verify-unknown = Hakuna tangazo rasmi lenye namba hii ya kumbukumbu. Chukulia ujumbe huo kuwa wa uongo.
page-fraud-warning = Hatutakuomba PIN yako wala kukutaka utume pesa ili huduma irudi.
page-not-found-title = Haipatikani
page-not-found-body = Hakuna ukurasa kwenye anwani hii.
page-back = Rudi kwenye ukurasa wa hali ya huduma
page-machine-readable = Milisho na data
page-updated = Imesasishwa
page-overrunning = Imechelewa
page-times-in = Saa ni za
page-nothing-planned = Hakuna matengenezo yaliyopangwa.
page-all-notices = Matangazo yote
page-all-active = Yote yanayoendelea sasa
page-all-upcoming = Matengenezo yote yaliyopangwa
page-all-history = Historia yote ya karibuni

## Sign-up pages

page-subscribe-title = Pata taarifa kwa SMS au barua pepe
page-subscribe-intro = Tunakujulisha kabla ya matengenezo yaliyopangwa, yanapoanza na huduma zinaporudi.
page-subscribe-address = Namba ya simu au anwani ya barua pepe
page-subscribe-language = Lugha
page-subscribe-services = Huduma zipi
page-subscribe-all = Huduma zote
page-subscribe-only = Au hizi tu
page-subscribe-consent = Tutatuma namba au kiungo cha kuthibitisha. Unaweza kusitisha wakati wowote (jibu STOP au tumia kiungo kwenye kila barua pepe).
page-subscribe-button = Jisajili

## Unsubscribe by address

page-unsubscribe-heading = Sitisha taarifa
page-unsubscribe-intro = Andika namba ya simu au barua pepe inayopata taarifa zetu. Tutaitumia kiungo; kifungue kusitisha.
page-unsubscribe-label = Namba ya simu au barua pepe
page-unsubscribe-button = Nitumie kiungo

## Manage page

page-manage-heading = Taarifa zako
page-manage-none-means-all = usichague yoyote kupata zote
page-manage-save = Hifadhi
page-manage-unsubscribe = Jiondoe

## Result page

page-message-code-label = Namba ya tarakimu 6 tuliyotuma
page-message-code-button = Thibitisha
page-message-unsubscribe-button = Jiondoe

## A service's status

status-operational = Inafanya kazi
status-under-maintenance = Matengenezo
status-degraded-performance = Inasuasua
status-partial-outage = Haipatikani kwa sehemu
status-major-outage = Haipatikani

## A notice's state

state-draft = Rasimu
state-scheduled = Yamepangwa
state-in-progress = Yanaendelea
state-verifying = Tunahakiki huduma
state-completed = Yamekamilika
state-cancelled = Yamefutwa
state-investigating = Tunachunguza
state-identified = Chanzo kimebainika
state-monitoring = Limerekebishwa, tunafuatilia
state-resolved = Limetatuliwa

## The banner

banner-none = Huduma zote zinafanya kazi
banner-maintenance = Matengenezo yanaendelea
banner-minor = Baadhi ya huduma zinasuasua
banner-major = Baadhi ya huduma hazipatikani
banner-critical = Huduma hazipatikani
banner-late = Matengenezo yamechelewa

## Timeline labels

event-maintenance-scheduled = Tangazo
event-maintenance-rescheduled = Muda umebadilishwa
event-maintenance-reminder = Kumbusho
event-maintenance-started = Yameanza
event-maintenance-extended = Muda umeongezwa
event-maintenance-overrunning = Yamechelewa
event-maintenance-completed = Yamekamilika
event-maintenance-cancelled = Yamefutwa
event-maintenance-updated = Taarifa
event-incident-created = Tatizo limeripotiwa
event-incident-updated = Taarifa
event-incident-resolved = Limetatuliwa
event-test-ping = Majaribio

## Durations (Clockface::minutes): joined with a space, days, hours, minutes.

duration-days = siku { $n }
duration-hours = saa { $n }
duration-minutes = dakika { $n }
duration-under-a-minute = chini ya dakika moja
# Kati ya sehemu za muda ("siku 1 saa 2").
duration-separator = {" "}

## Clockface::outcome

outcome-early = Yalikamilika mapema kwa { $duration }
outcome-late = Yalichelewa kwa { $duration }
outcome-on-time = Yalikamilika kwa wakati

## Clockface::ends

ends = Yalitangazwa kuisha { $announced }; yalikamilika { $ended }

## Clockface::overrun

overrun = Imepita muda uliopangwa ({ $planned }) kwa { $late }. Tutatoa makadirio mapya.

## The language's own name, for language switchers

language-name = Kiswahili
# The CLDR locale whose date and time patterns, day and month names this language uses.
cldr-locale = sw
