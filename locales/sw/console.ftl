# Dashibodi ya wafanyakazi: maneno ya kurasa, vitufe na jumbe zake. Majina ya hali na misimbo ya
# matukio (in_progress, maintenance.started) huonyeshwa kama yalivyo.

## Fremu ya kila ukurasa

console-title = Dashibodi ya Tangazo
console-nav-new-notice = Tangazo jipya
console-nav-services = Huduma
console-nav-subscribers = Wanaojisajili
console-nav-billers = Wapokeaji malipo
console-nav-audit = Kumbukumbu
console-nav-tokens = Tokeni
console-nav-password = Nenosiri
console-nav-public = Ukurasa wa umma
console-log-out = Toka

## Makataa na matokeo

console-error-title = Imekataliwa
console-error-back = Rudi kwenye dashibodi
console-error-csrf = Fomu imepitwa na wakati au haikutoka kwenye dashibodi hii (tokeni ya CSRF haipo au si sahihi). Rudi nyuma, pakia upya ukurasa kisha ujaribu tena.
console-error-role = Hili linahitaji jukumu la { $needed }; wewe ni { $has }.
console-error-not-done = Haikufanyika: { $message }.
console-already-done = Tayari imefanyika: fomu hii ilitumwa awali (kupakia upya, kitufe cha kurudi nyuma au kubofya mara ya pili), kwa hiyo hakuna kilichofanywa wala kutumwa tena. Ukurasa huu unaonyesha hali ilivyo sasa.
console-saved = Imehifadhiwa.

## Kuingia, nenosiri

console-login-title = Ingia
console-login-heading = Kuingia kwa wafanyakazi
console-login-email = Barua pepe
console-login-password = Nenosiri
console-login-button = Ingia
console-login-expired = Fomu ya kuingia imepitwa na wakati. Tafadhali jaribu tena.
console-login-throttled = Majaribio mengi mno ya kuingia kutoka anwani yako. Subiri dakika 15 kisha ujaribu tena.
console-login-refused = Barua pepe au nenosiri si sahihi. Baada ya manenosiri { $n } yasiyo sahihi akaunti hufungwa kwa dakika { $minutes }.
console-password-title = Badilisha nenosiri
console-password-current = Nenosiri la sasa
console-password-new = Nenosiri jipya
console-password-new-hint = angalau herufi 12
console-password-refused = Nenosiri jipya: { $why }.
console-password-wrong = Nenosiri la sasa si sahihi.

## Dashibodi

console-dashboard-title = Matangazo
console-dashboard-new-notice = Tangazo jipya
console-dashboard-col-title = Kichwa
console-dashboard-col-kind = Aina
console-dashboard-col-state = Hali
console-dashboard-col-window = Muda
console-dashboard-col-reference = Kumbukumbu
console-dashboard-overrunning = imezidi muda
console-dashboard-empty = Bado hakuna matangazo.

## Fomu ya tangazo

console-form-new-heading = Tangazo jipya
console-form-edit-heading = Hariri rasimu { $reference }
console-form-nothing-saved = Hakuna kilichohifadhiwa: { $n ->
        [one] sehemu { $n } inahitaji
       *[other] sehemu { $n } zinahitaji
    } kurekebishwa (zimewekewa alama hapa chini).
console-form-kind = Aina
console-form-maintenance = Matengenezo yaliyopangwa
console-form-incident = Hitilafu
console-form-title = Kichwa
console-form-required = lazima
console-form-optional = si lazima: lugha kuu hutumika ikiachwa wazi
console-form-affected = Huduma zinazoathirika
console-form-impact-on = Athari kwa
console-form-starts = Inaanza
console-form-ends = Inaisha
console-form-auto-start = Anza yenyewe wakati uliopangwa wa kuanza
console-form-auto-complete = Kamilisha yenyewe wakati uliopangwa wa kuisha
console-form-still-works = Kinachoendelea kufanya kazi
console-form-still-works-hint = k.m. kutoa pesa kwa mawakala
console-form-announcement = Tangazo
console-form-overrides = Kubadilisha maandishi ya SMS na barua pepe
console-form-overrides-hint = Badilisha maandishi ya kiolezo. Vishika nafasi: {"{"}title{"}"} {"{"}window{"}"} {"{"}start{"}"} {"{"}end{"}"} {"{"}affected{"}"} {"{"}still_works{"}"} {"{"}reference{"}"} {"{"}verify_url{"}"} {"{"}page_url{"}"} {"{"}body{"}"}. Andika {"{{"} kupata {"{"}, na {"}}"} kupata {"}"}. SMS huishia kila mara na kumbukumbu na kiungo cha kuthibitisha.
console-form-sms = SMS
console-form-email-opening = Mwanzo wa barua pepe
console-form-save-draft = Hifadhi rasimu
console-form-save-changes = Hifadhi mabadiliko

## Onyesho la kile tangazo litatuma

console-preview-title = Onyesho
console-preview-press = Bonyeza Onyesho kuona SMS, barua pepe na idadi ya sehemu kwa kila lugha.
console-preview-fix-first = Rekebisha fomu kwanza:
console-preview-heading = Kile wateja watapokea
console-preview-cannot-send = Haiwezi kutumwa ilivyo:
console-preview-sms = SMS
console-preview-segments = { $n ->
        [one] sehemu { $n }
       *[other] sehemu { $n }
    }
console-preview-septets = septeti
console-preview-ucs2-units = vipimo vya UCS-2
console-preview-script = imeandikwa kwa hati ambayo GSM-7 haiwezi kubeba
console-preview-forcing = herufi zinazolazimisha UCS-2:
console-preview-remove = Ziondoe kwenye SMS
console-preview-email = Barua pepe
console-preview-subject = Kichwa:
console-preview-reference-note = Namba ya kumbukumbu hutolewa tangazo linapohifadhiwa; { $placeholder } inasimama badala yake hapa.

## Ukurasa wa tangazo

console-notice-overrunning = imezidi muda
console-notice-reference = Kumbukumbu
console-notice-public-page = ukurasa wa umma
console-notice-edit-draft = Hariri rasimu
console-notice-window = Muda
console-notice-affected = Zinazoathirika
console-notice-still-works = Kinachofanya kazi
console-notice-written-by = Imeandikwa na
console-notice-actions = Hatua
console-notice-who-is-told = Nani anaarifiwa:
console-notice-told-at-once = ukurasa wa umma, JSON, milisho na kalenda papo hapo; wanaojisajili
console-notice-told-sms = kwa SMS na
console-notice-told-email = kwa barua pepe, pamoja na
console-notice-told-endpoints = anwani za webhook za wapokeaji malipo, wanaofuatilia huduma zinazoathirika.
console-notice-actions-note = Kila hatua huweka SMS na barua pepe zake foleni katika muamala mmoja; ujumbe ambao haujatumwa wa taarifa ya zamani hubadilishwa na ule mpya. Kila fomu hufanya kazi mara moja tu, na kwa tangazo kama ukurasa huu unavyolionyesha: likibadilika, pakia upya ukurasa. Kila hatua imo kwenye kumbukumbu.
console-notice-four-eyes = Idhini ya watu wawili imewashwa: mchapishaji mwingine lazima achapishe tangazo hili.
console-notice-new-end = Mwisho mpya
console-notice-new-start = Mwanzo mpya
console-notice-status = Hali
console-notice-unchanged = (bila mabadiliko)
console-notice-message = Ujumbe
console-notice-required = lazima
console-notice-optional-standard = si lazima: maandishi ya kawaida hutumika
console-notice-i-confirm = Nathibitisha:
console-notice-no-actions-before = Hakuna hatua: tangazo limekwisha, au jukumu lako
console-notice-no-actions-after = haliwezi kulibadilisha.
console-notice-changes = Mabadiliko tangu liandikwe
console-notice-no-changes-before = Hakuna: hii ni rasimu kama
console-notice-no-changes-after = alivyoiandika.
console-notice-col-when = Lini
console-notice-col-who = Nani
console-notice-col-field = Sehemu
console-notice-col-before = Kabla
console-notice-col-after = Baada
console-notice-deliveries = Uwasilishaji
console-notice-nothing-queued = Hakuna kilicho foleni: hakuna anayefuatilia huduma zinazoathirika, au tangazo halijachapishwa.
console-notice-col-update = Taarifa
console-notice-col-channel = Njia
console-notice-col-sent = Zimetumwa
console-notice-col-pending = Zinasubiri
console-notice-col-failed = Zimeshindwa
console-notice-col-superseded = Zimebadilishwa
console-notice-col-delivered = Zimefika
console-notice-not-delivered = hazikufika
console-notice-recent-failures = Makosa ya karibuni
console-notice-also-json = Pia kama JSON:
console-notice-timeline = Mfuatano
console-notice-not-published = Bado halijachapishwa.
console-eta-seconds = takriban sekunde { $n }
console-eta-minutes = takriban dakika { $n }
console-eta-hours = takriban saa { $hours }

## Vitufe vya hatua, kila kimoja kinafanya nini, na hali za taarifa

console-action-publish = Chapisha
console-action-discard = Futa rasimu
console-action-start = Anza sasa
console-action-extend = Ongeza muda
console-action-reschedule = Panga upya
console-action-update = Tuma taarifa
console-action-cancel = Sitisha matengenezo
console-action-complete = Kamilisha
console-action-resolve = Imetatuliwa
console-does-publish = chapisha tangazo hili rasmi; ukurasa wa umma unalionyesha sasa
console-does-discard = futa rasimu hii: hakuna kinachotumwa, na ukurasa wa umma hautaionyesha
console-does-tell = ukurasa wa umma unabadilika sasa
console-does-complete = huduma zimerejea; waarifu wote
console-does-resolve = tatizo limetatuliwa; waarifu wote
console-status-in-progress = Yanaendelea
console-status-verifying = Tunakagua huduma
console-status-investigating = Tunachunguza
console-status-identified = Chanzo kimepatikana
console-status-monitoring = Limetatuliwa, tunafuatilia
console-check-older-page = Fomu hii ni ya ukurasa wa zamani; haikutumwa. Angalia tangazo hapa chini, kisha ujaribu tena.
console-check-tick = Weka alama kwenye kisanduku cha kuthibitisha: hili hubadilisha kile wateja wanachoona.
console-check-write-update = andika taarifa ambayo wateja watasoma
console-check-new-end = weka mwisho mpya
console-check-new-window = starts_at na ends_at: weka muda mpya

## Kile hatua inatuma

console-reach-sms = SMS { $count }
console-reach-email = { $n ->
        [one] barua pepe { $count }
       *[other] barua pepe { $count }
    }
console-reach-webhook = { $n ->
        [one] webhook { $count }
       *[other] webhook { $count }
    }
console-reach-list = { $init } na { $last }
console-reach-nothing-sent = Hakuna kinachotumwa: hakuna mteja wala mpokeaji malipo anayefuatilia huduma zinazoathirika.
console-reach-sends = Hii inatuma { $list } sasa.
console-reach-sends-held-only = Hii haitumi kitu sasa; { $sms } zinasubiri mwisho wa saa za utulivu ({ $at }).
console-reach-sends-held = Hii inatuma { $list } sasa; { $sms } zinasubiri mwisho wa saa za utulivu ({ $at }).
console-reach-nothing-queued = Hakuna kilichowekwa foleni: hakuna mteja wala mpokeaji malipo anayefuatilia huduma zinazoathirika.
console-reach-queued = Zimewekwa foleni: { $list }.
console-reach-queued-held = Zimewekwa foleni: { $list }; SMS zitatoka saa za utulivu zikiisha ({ $at }).
console-reach-discarded = Imefanyika: rasimu imefutwa. Hakuna kilichotumwa, na ukurasa wa umma haukuionyesha kamwe.
console-reach-done = Imefanyika: { $event } (taarifa #{ $sequence }). Ukurasa wa umma unaionyesha sasa. { $queued }

## Huduma

console-services-title = Huduma
console-services-intro = Ukurasa unaonyesha huduma kwa mpangilio huu, kwa makundi. Hali iliyowekwa hapa huonekana kwenye ukurasa hadi tangazo linaloathiri huduma hiyo liseme hali mbaya zaidi.
console-services-col-code = Msimbo
console-services-col-names = Jina, kwa kila lugha
console-services-col-group = Kundi
console-services-col-position = Nafasi
console-services-col-status = Hali
console-services-name-of = Jina la
console-services-name-in = kwa
console-services-group-of = Kundi la
console-services-position-of = Nafasi ya
console-services-status-of = Hali ya
console-services-page-shows = ukurasa unaonyesha:
console-services-save = Hifadhi
console-services-whole-number = nafasi lazima iwe namba kamili
console-services-saved = { $code } imehifadhiwa.

## Wanaojisajili na kuwaingiza

console-subscribers-title = Wanaojisajili
console-subscribers-import = Ingiza CSV
console-subscribers-by-channel = Kwa njia, lugha na hali
console-subscribers-col-channel = Njia
console-subscribers-col-language = Lugha
console-subscribers-col-state = Hali
console-subscribers-col-count = Idadi
console-subscribers-empty = Bado hakuna waliojisajili.
console-subscribers-by-service = Waliothibitisha, kwa huduma wanayofuatilia
console-subscribers-col-service = Huduma
console-subscribers-col-sms = SMS
console-subscribers-col-email = Barua pepe
console-subscribers-find = Tafuta mteja mmoja
console-subscribers-address-label = Namba kamili ya simu au anwani ya barua pepe
console-subscribers-find-button = Tafuta
console-subscribers-address = Anwani
console-subscribers-follows = Anafuatilia
console-subscribers-signed-up = Alijisajili
console-subscribers-confirmed = Alithibitisha
console-subscribers-all-services = huduma zote
console-subscribers-not-yet = bado
console-subscribers-none = Hakuna mteja mwenye anwani { $address }.
console-import-title = Ingiza wanaojisajili
console-import-intro-file = Faili ya CSV (UTF-8) yenye safu ya vichwa.
console-import-intro-required = Safu wima za lazima:
console-import-intro-address = (namba ya simu au barua pepe) na
console-import-intro-yes = kwenye kila mstari: ingiza tu watu walioomba matangazo
console-import-intro-optional = Si lazima:
console-import-intro-separated = misimbo iliyotenganishwa kwa
console-import-intro-empty = tupu kwa zote
console-import-checked-first = Faili nzima hukaguliwa kwanza; mstari mmoja wenye kosa husimamisha uingizaji na hakuna kinachohifadhiwa. Anwani zilizokwisha kujisajili huachwa kama zilivyo, kwa hiyo kuingiza faili mara mbili hakubadilishi kitu.
console-import-file = Faili
console-import-button = Ingiza
console-import-failed = Kupakia kumeshindwa: { $why }
console-import-expired = Fomu imepitwa na wakati (tokeni ya CSRF haipo au si sahihi). Pakia upya kisha ujaribu tena.
console-import-choose = chagua faili ya CSV
console-import-done = Mistari { $rows }: wapya { $new }, { $present } walikuwepo tayari.

## Kumbukumbu

console-audit-title = Kumbukumbu
console-audit-actor = Mhusika
console-audit-action = Kitendo
console-audit-target = Kilicholengwa
console-audit-filter = Chuja
console-audit-col-when = Lini (UTC)
console-audit-col-who = Nani
console-audit-col-before-after = Kabla → baada
console-audit-empty = Hakuna kinacholingana.

## Tokeni za API

console-tokens-title = Tokeni za API
console-tokens-intro-before = Tokeni za API ya wafanyakazi
console-tokens-intro-middle = na za wapokeaji malipo. Tokeni huonyeshwa mara moja tu, inapoundwa
console-tokens-intro-after = huhifadhiwa hashi yake pekee. Batilisha tokeni iliyovuja au isiyotumika tena: huacha kufanya kazi mara moja.
console-tokens-col-name = Jina
console-tokens-col-role = Jukumu
console-tokens-col-id = Kitambulisho
console-tokens-col-created = Iliundwa
console-tokens-col-state = Hali
console-tokens-revoked = imebatilishwa
console-tokens-i-confirm = Nathibitisha:
console-tokens-token = tokeni
console-tokens-stops = itaacha kufanya kazi mara moja
console-tokens-revoke = Batilisha
console-tokens-empty = Bado hakuna tokeni.
console-tokens-revoked-flash = Tokeni '{ $name }' imebatilishwa: haifanyi kazi tena.
console-tokens-biller = mpokeaji malipo { $biller }
console-tokens-no-such = Hakuna tokeni yenye kitambulisho '{ $id }'.
console-tokens-tick = Weka alama kwenye kisanduku cha kuthibitisha: tokeni iliyobatilishwa huacha kufanya kazi mara moja.

## Wapokeaji malipo na anwani zao za webhook

console-billers-heading = Wapokeaji malipo na webhook
console-billers-intro = Kampuni za huduma, benki na wafanyabiashara hupokea kila taarifa ya matangazo wanayofuatilia kama webhook zilizosainiwa (Standard Webhooks). Mpokeaji malipo anaweza kusimamia anwani zake mwenyewe kwa tokeni yake ya API.
console-billers-contact = Mawasiliano
console-billers-id = kitambulisho
console-billers-no-endpoints = Bado hakuna anwani.
console-billers-col-endpoint = Anwani
console-billers-col-events = Matukio
console-billers-col-services = Huduma
console-billers-col-state = Hali
console-billers-all = zote
console-billers-failing = inashindwa
console-billers-enabled = imewashwa
console-billers-disabled = imezimwa
console-billers-refused = imekataliwa:
console-billers-add = Ongeza anwani
console-billers-url = URL
console-billers-description = Maelezo
console-billers-contact-email = Barua pepe ya mawasiliano
console-billers-contact-hint = hujulishwa anwani ikizimwa
console-billers-event-types = Aina za matukio
console-billers-events-hint = tenganisha kwa koma; acha wazi kwa zote
console-billers-services-hint = misimbo, tenganisha kwa koma; acha wazi kwa zote
console-billers-rate = Kikomo cha kasi
console-billers-rate-hint = maombi kwa sekunde; 0 bila kikomo
console-billers-ed25519 = Saini pia kwa ed25519 (v1a)
console-billers-add-button = Ongeza anwani
console-billers-new-biller = Mpokeaji malipo mpya
console-billers-name = Jina
console-billers-create = Unda mpokeaji malipo
console-billers-went-wrong = Kuna hitilafu; imeandikwa kwenye kumbukumbu ya mfumo.
console-billers-not-email = '{ $contact }' si anwani ya barua pepe
console-billers-rate-not-number = '{ $raw }' si namba kamili ya maombi kwa sekunde (0 bila kikomo)
console-billers-created = Mpokeaji malipo { $name } ameundwa.
console-billers-endpoint-created = Anwani { $url } imeundwa. Siri yake ya kusaini, inayoonyeshwa sasa tu: { $secret }
console-endpoint-title = Anwani
console-endpoint-failing-since = inashindwa tangu
console-endpoint-enabled = Imewashwa
console-endpoint-disabled = Imezimwa
console-endpoint-refused-before = Ilikataliwa kabla ya kutuma:
console-endpoint-events = Matukio:
console-endpoint-services = huduma:
console-endpoint-all = zote
console-endpoint-rate = kikomo cha kasi:
console-endpoint-none = hakuna
console-endpoint-contact = mawasiliano
console-endpoint-key = ufunguo wa umma wa ed25519:
console-endpoint-previous-before = Siri ya awali pia inasaini hadi
console-endpoint-previous-after = .
console-endpoint-test = Tuma tukio la majaribio
console-endpoint-rotate = Badilisha siri
console-endpoint-disable = Zima
console-endpoint-replay-missed = tuma ilichokosa
console-endpoint-enable = Washa
console-endpoint-recover-label = Tuma tena kila uwasilishaji ulioshindwa tangu
console-endpoint-recover-hint = 2026-04-18T00:00 kwa saa za ukurasa, au RFC 3339
console-endpoint-recover = Rejesha
console-endpoint-deliveries = Uwasilishaji
console-endpoint-none-yet = Bado hakuna.
console-endpoint-col-update = Taarifa
console-endpoint-col-state = Hali
console-endpoint-col-attempts = Majaribio
console-endpoint-webhook-id = webhook-id
console-endpoint-next-try = jaribio lijalo
console-endpoint-send-again = Tuma tena
console-endpoint-test-sent = Tukio la majaribio limetumwa: HTTP { $status } kwa ms { $ms }.
console-endpoint-test-failed = Tukio la majaribio halikufika: { $error }
console-endpoint-rotated = Siri mpya, inayoonyeshwa sasa tu: { $secret }. Ile ya zamani pia inasaini hadi { $until }.
console-endpoint-disabled-flash = Imezimwa: taarifa zinasubiri hadi iwashwe tena.
console-endpoint-enabled-flash = Imewashwa; taarifa { $n } zilizokosekana zimewekwa foleni.
console-endpoint-replayed = Imewekwa foleni kutumwa tena.
console-endpoint-no-such-delivery = hakuna uwasilishaji huo, au tayari unasubiri
console-endpoint-recovered = Uwasilishaji { $n } ulioshindwa umewekwa foleni tena.

## Hifadhidata isipopatikana

console-unavailable-title = Hifadhidata haipatikani
console-unavailable-heading = Hifadhidata haipatikani
console-unavailable-nothing-saved = Tangazo haiwezi kutumia hifadhidata yake kwa sasa, kwa hiyo hakuna kinachoweza kuhifadhiwa wala kubadilishwa, na ulichotuma sasa hivi hakijahifadhiwa.
console-unavailable-page-keeps = Ukurasa wa hali wa umma unaendelea kuonyesha ulichoonyesha awali, na jumbe zilizo foleni zitatoka hifadhidata ikirejea.
console-unavailable-try-again = Jaribu tena baada ya dakika moja. Hali ikiendelea, kagua seva ya hifadhidata na diski inayoandikia.
console-unavailable-back = Rudi kwenye dashibodi
