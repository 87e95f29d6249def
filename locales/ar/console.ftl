# لوحة تحكم الموظفين: كلمات صفحاتها وأزرارها ورسائلها. أسماء الحالات ورموز الأحداث
# (in_progress وmaintenance.started) تُعرض كما هي.

## إطار كل صفحة

console-title = لوحة تحكم Tangazo
console-nav-new-notice = إعلان جديد
console-nav-services = الخدمات
console-nav-subscribers = المشتركون
console-nav-billers = الجهات المفوترة
console-nav-audit = سجل التدقيق
console-nav-tokens = الرموز
console-nav-password = كلمة المرور
console-nav-public = الصفحة العامة
console-log-out = تسجيل الخروج

## الرفض والنتائج

console-error-title = مرفوض
console-error-back = العودة إلى لوحة التحكم
console-error-csrf = انتهت صلاحية النموذج أو لم يأتِ من لوحة التحكم هذه (رمز CSRF مفقود أو خاطئ). ارجع، وأعد تحميل الصفحة، ثم حاول مرة أخرى.
console-error-role = يتطلب هذا دور { $needed }؛ ودورك { $has }.
console-error-not-done = لم يُنفَّذ: { $message }.
console-already-done = نُفِّذ من قبل: أُرسل هذا النموذج سابقًا (بإعادة التحميل أو زر الرجوع أو نقرة ثانية)، فلم يُنفَّذ أو يُرسَل شيء مرة أخرى. تعرض هذه الصفحة الوضع الحالي.
console-saved = حُفظ.

## تسجيل الدخول وكلمة المرور

console-login-title = تسجيل الدخول
console-login-heading = دخول الموظفين
console-login-email = البريد الإلكتروني
console-login-password = كلمة المرور
console-login-button = دخول
console-login-expired = انتهت صلاحية نموذج الدخول. يُرجى المحاولة مرة أخرى.
console-login-throttled = محاولات دخول كثيرة جدًا من عنوانك. انتظر 15 دقيقة ثم حاول مرة أخرى.
console-login-refused = البريد الإلكتروني أو كلمة المرور غير صحيحة. بعد { $n } محاولات خاطئة يُقفل الحساب لمدة { $minutes } دقيقة.
console-password-title = تغيير كلمة المرور
console-password-current = كلمة المرور الحالية
console-password-new = كلمة المرور الجديدة
console-password-new-hint = 12 حرفًا على الأقل
console-password-refused = كلمة المرور الجديدة: { $why }.
console-password-wrong = كلمة المرور الحالية غير صحيحة.

## لوحة الإعلانات

console-dashboard-title = الإعلانات
console-dashboard-new-notice = إعلان جديد
console-dashboard-col-title = العنوان
console-dashboard-col-kind = النوع
console-dashboard-col-state = الحالة
console-dashboard-col-window = الفترة
console-dashboard-col-reference = المرجع
console-dashboard-overrunning = تجاوز موعده
console-dashboard-empty = لا إعلانات بعد.

## نموذج الإعلان

console-form-new-heading = إعلان جديد
console-form-edit-heading = تعديل المسودة { $reference }
console-form-nothing-saved = لم يُحفظ شيء: { $n ->
        [one] حقل واحد يحتاج
        [two] حقلان يحتاجان
        [few] { $n } حقول تحتاج
       *[other] { $n } حقلًا تحتاج
    } إلى مراجعة (مُعلَّمة أدناه).
console-form-kind = النوع
console-form-maintenance = صيانة مجدولة
console-form-incident = عطل
console-form-title = العنوان
console-form-required = مطلوب
console-form-optional = اختياري: تُستخدم اللغة الافتراضية إذا تُرك فارغًا
console-form-affected = الخدمات المتأثرة
console-form-impact-on = الأثر على
console-form-starts = البداية
console-form-ends = النهاية
console-form-auto-start = البدء تلقائيًا في موعد البداية المحدد
console-form-auto-complete = الإنهاء تلقائيًا في موعد النهاية المحدد
console-form-still-works = ما يظل يعمل
console-form-still-works-hint = مثلًا: السحب النقدي لدى الوكلاء
console-form-announcement = نص الإعلان
console-form-overrides = استبدال نص الرسائل القصيرة والبريد الإلكتروني
console-form-overrides-hint = يحل محل نص القالب. العناصر النائبة: {"{"}title{"}"} {"{"}window{"}"} {"{"}start{"}"} {"{"}end{"}"} {"{"}affected{"}"} {"{"}still_works{"}"} {"{"}reference{"}"} {"{"}verify_url{"}"} {"{"}page_url{"}"} {"{"}body{"}"}. اكتب {"{{"} للحصول على {"{"}، و{"}}"} للحصول على {"}"}. تنتهي الرسالة القصيرة دائمًا بالمرجع ورابط التحقق.
console-form-sms = رسالة قصيرة
console-form-email-opening = مقدمة البريد الإلكتروني
console-form-save-draft = حفظ المسودة
console-form-save-changes = حفظ التغييرات

## معاينة ما سيُرسل

console-preview-title = معاينة
console-preview-press = اضغط «معاينة» لرؤية الرسالة القصيرة والبريد الإلكتروني وعدد الأجزاء بكل لغة.
console-preview-fix-first = صحّح النموذج أولًا:
console-preview-heading = ما سيصل إلى العملاء
console-preview-cannot-send = لا يمكن إرساله كما هو:
console-preview-sms = رسالة قصيرة
console-preview-segments = { $n ->
        [zero] لا أجزاء
        [one] جزء واحد
        [two] جزءان
        [few] { $n } أجزاء
       *[other] { $n } جزءًا
    }
console-preview-septets = وحدة سباعية
console-preview-ucs2-units = وحدة UCS-2
console-preview-script = مكتوبة بخط لا يستطيع GSM-7 نقله
console-preview-forcing = أحرف تفرض UCS-2:
console-preview-remove = احذفها من الرسالة
console-preview-email = بريد إلكتروني
console-preview-subject = الموضوع:
console-preview-reference-note = يُمنح رمز المرجع عند حفظ الإعلان؛ ويحل محله هنا { $placeholder }.

## صفحة الإعلان

console-notice-overrunning = تجاوز موعده
console-notice-reference = المرجع
console-notice-public-page = الصفحة العامة
console-notice-edit-draft = تعديل المسودة
console-notice-window = الفترة
console-notice-affected = المتأثر
console-notice-still-works = ما يظل يعمل
console-notice-written-by = كتبه
console-notice-actions = الإجراءات
console-notice-who-is-told = من يُبلَّغ:
console-notice-told-at-once = الصفحة العامة وJSON والخلاصات والتقويم فورًا؛ ويتبع الخدمات المتأثرة
console-notice-told-sms = مشتركًا بالرسائل القصيرة و
console-notice-told-email = مشتركًا بالبريد الإلكتروني و
console-notice-told-endpoints = نقطة webhook لجهات مفوترة.
console-notice-actions-note = يضع كل إجراء رسائله القصيرة والبريدية في قائمة الانتظار ضمن المعاملة نفسها؛ والرسالة غير المرسلة من تحديث أقدم يحل محلها الأحدث. يعمل كل نموذج مرة واحدة، وعلى الإعلان كما تعرضه هذه الصفحة فقط: بعد أي تغيير، أعد تحميل الصفحة. كل إجراء مُسجَّل في سجل التدقيق.
console-notice-four-eyes = موافقة شخصين مفعّلة: يجب أن ينشر هذا الإعلانَ ناشرٌ آخر.
console-notice-new-end = النهاية الجديدة
console-notice-new-start = البداية الجديدة
console-notice-status = الحالة
console-notice-unchanged = (دون تغيير)
console-notice-message = الرسالة
console-notice-required = مطلوب
console-notice-optional-standard = اختياري: يُستخدم نص قياسي
console-notice-i-confirm = أؤكد:
console-notice-no-actions-before = لا إجراءات: الإعلان منتهٍ، أو أن دورك
console-notice-no-actions-after = لا يسمح بتغييره.
console-notice-changes = التغييرات منذ كتابته
console-notice-no-changes-before = لا شيء: هذه المسودة كما كتبها
console-notice-no-changes-after = {""}
console-notice-col-when = متى
console-notice-col-who = من
console-notice-col-field = الحقل
console-notice-col-before = قبل
console-notice-col-after = بعد
console-notice-deliveries = التسليم
console-notice-nothing-queued = لا شيء في قائمة الانتظار: لا مشترك يتبع الخدمات المتأثرة، أو أن الإعلان لم يُنشر.
console-notice-col-update = التحديث
console-notice-col-channel = القناة
console-notice-col-sent = أُرسل
console-notice-col-pending = قيد الانتظار
console-notice-col-failed = فشل
console-notice-col-superseded = استُبدل
console-notice-col-delivered = سُلِّم
console-notice-not-delivered = لم تُسلَّم
console-notice-recent-failures = الإخفاقات الأخيرة
console-notice-also-json = متاح أيضًا بصيغة JSON:
console-notice-timeline = التسلسل الزمني
console-notice-not-published = لم يُنشر بعد.
console-eta-seconds = نحو { $n } ث
console-eta-minutes = نحو { $n } د
console-eta-hours = نحو { $hours } س

## أزرار الإجراءات، وما يفعله كل منها، وحالات التحديث

console-action-publish = نشر
console-action-discard = حذف المسودة
console-action-start = البدء الآن
console-action-extend = تمديد
console-action-reschedule = إعادة الجدولة
console-action-update = نشر تحديث
console-action-cancel = إلغاء الصيانة
console-action-complete = إنهاء
console-action-resolve = تم الحل
console-does-publish = نشر هذا الإعلان رسميًا؛ تعرضه الصفحة العامة الآن
console-does-discard = حذف هذه المسودة: لا يُرسل شيء، ولن تعرضها الصفحة العامة أبدًا
console-does-tell = تتغير الصفحة العامة الآن
console-does-complete = عادت الخدمات؛ أبلغ الجميع
console-does-resolve = حُلّت المشكلة؛ أبلغ الجميع
console-status-in-progress = جارية
console-status-verifying = جارٍ فحص الخدمات
console-status-investigating = قيد التحقيق
console-status-identified = عُرف السبب
console-status-monitoring = أُصلح، قيد المراقبة
console-check-older-page = هذا النموذج من صفحة أقدم؛ لم يُرسل. راجع الإعلان أدناه، ثم حاول مرة أخرى.
console-check-tick = ضع علامة في خانة التأكيد: هذا يغيّر ما يراه العملاء.
console-check-write-update = اكتب التحديث الذي سيقرؤه العملاء
console-check-new-end = حدّد النهاية الجديدة
console-check-new-window = starts_at وends_at: حدّد الفترة الجديدة

## ما يرسله الإجراء

console-reach-sms = { $count } رسالة قصيرة
console-reach-email = { $n ->
        [one] رسالة بريد إلكتروني واحدة
        [two] رسالتا بريد إلكتروني
        [few] { $count } رسائل بريد إلكتروني
       *[other] { $count } رسالة بريد إلكتروني
    }
console-reach-webhook = { $n ->
        [one] webhook واحد
       *[other] { $count } webhook
    }
console-reach-list = { $init } و{ $last }
console-reach-nothing-sent = لا يُرسل شيء: لا مشترك ولا جهة مفوترة تتبع الخدمات المتأثرة.
console-reach-sends = يرسل هذا { $list } الآن.
console-reach-sends-held-only = لا يرسل هذا شيئًا الآن؛ وتنتظر { $sms } انتهاء ساعات الهدوء ({ $at }).
console-reach-sends-held = يرسل هذا { $list } الآن؛ وتنتظر { $sms } انتهاء ساعات الهدوء ({ $at }).
console-reach-nothing-queued = لم يُوضع شيء في قائمة الانتظار: لا مشترك ولا جهة مفوترة تتبع الخدمات المتأثرة.
console-reach-queued = وُضع في قائمة الانتظار: { $list }.
console-reach-queued-held = وُضع في قائمة الانتظار: { $list }؛ وتخرج الرسائل القصيرة عند انتهاء ساعات الهدوء ({ $at }).
console-reach-discarded = تم: حُذفت المسودة. لم يُرسل شيء، ولم تعرضها الصفحة العامة قط.
console-reach-done = تم: { $event } (التحديث #{ $sequence }). تعرضه الصفحة العامة الآن. { $queued }

## الخدمات

console-services-title = الخدمات
console-services-intro = تعرض الصفحة الخدمات بهذا الترتيب، حسب المجموعة. الحالة المحددة هنا تظهر على الصفحة إلى أن يذكر إعلان يخص الخدمة حالة أسوأ.
console-services-col-code = الرمز
console-services-col-names = الاسم بكل لغة
console-services-col-group = المجموعة
console-services-col-position = الترتيب
console-services-col-status = الحالة
console-services-name-of = اسم
console-services-name-in = بـ
console-services-group-of = مجموعة
console-services-position-of = ترتيب
console-services-status-of = حالة
console-services-page-shows = تعرض الصفحة:
console-services-save = حفظ
console-services-whole-number = يجب أن يكون الترتيب عددًا صحيحًا
console-services-saved = حُفظت { $code }.

## المشتركون واستيرادهم

console-subscribers-title = المشتركون
console-subscribers-import = استيراد ملف CSV
console-subscribers-by-channel = حسب القناة واللغة والحالة
console-subscribers-col-channel = القناة
console-subscribers-col-language = اللغة
console-subscribers-col-state = الحالة
console-subscribers-col-count = العدد
console-subscribers-empty = لا مشتركين بعد.
console-subscribers-by-service = المؤكَّدون، حسب الخدمة المتابَعة
console-subscribers-col-service = الخدمة
console-subscribers-col-sms = رسائل قصيرة
console-subscribers-col-email = بريد إلكتروني
console-subscribers-find = البحث عن مشترك
console-subscribers-address-label = رقم الهاتف أو عنوان البريد الإلكتروني كاملًا
console-subscribers-find-button = بحث
console-subscribers-address = العنوان
console-subscribers-follows = يتابع
console-subscribers-signed-up = اشترك في
console-subscribers-confirmed = أكّد في
console-subscribers-all-services = كل الخدمات
console-subscribers-not-yet = ليس بعد
console-subscribers-none = لا مشترك بالعنوان { $address }.
console-import-title = استيراد المشتركين
console-import-intro-file = ملف CSV ‏(UTF-8) بصف عناوين.
console-import-intro-required = الأعمدة المطلوبة:
console-import-intro-address = (رقم هاتف أو بريد إلكتروني) و
console-import-intro-yes = في كل صف: لا تستورد إلا من طلبوا الإعلانات
console-import-intro-optional = اختيارية:
console-import-intro-separated = رموز تفصل بينها
console-import-intro-empty = فارغ للكل
console-import-checked-first = يُفحص الملف كله أولًا؛ صف واحد خاطئ يوقف الاستيراد ولا يُخزَّن شيء. تبقى العناوين المشتركة سابقًا كما هي، فاستيراد الملف مرتين لا يغيّر شيئًا.
console-import-file = الملف
console-import-button = استيراد
console-import-failed = فشل الرفع: { $why }
console-import-expired = انتهت صلاحية النموذج (رمز CSRF مفقود أو خاطئ). أعد التحميل وحاول مرة أخرى.
console-import-choose = اختر ملف CSV
console-import-done = { $rows } صفًا: { $new } مشتركًا جديدًا، و{ $present } موجودون سابقًا.

## سجل التدقيق

console-audit-title = سجل التدقيق
console-audit-actor = المنفِّذ
console-audit-action = الإجراء
console-audit-target = الهدف
console-audit-filter = تصفية
console-audit-col-when = متى (UTC)
console-audit-col-who = من
console-audit-col-before-after = قبل ← بعد
console-audit-empty = لا نتائج مطابقة.

## رموز API

console-tokens-title = رموز API
console-tokens-intro-before = رموز واجهة API للموظفين
console-tokens-intro-middle = وللجهات المفوترة. يُعرض الرمز مرة واحدة فقط، عند إنشائه
console-tokens-intro-after = ولا يُحفظ منه إلا تجزئته. ألغِ أي رمز تسرّب أو لم يعد مستخدمًا: يتوقف عن العمل فورًا.
console-tokens-col-name = الاسم
console-tokens-col-role = الدور
console-tokens-col-id = المعرّف
console-tokens-col-created = أُنشئ
console-tokens-col-state = الحالة
console-tokens-revoked = أُلغي
console-tokens-i-confirm = أؤكد:
console-tokens-token = الرمز
console-tokens-stops = يتوقف عن العمل فورًا
console-tokens-revoke = إلغاء
console-tokens-empty = لا رموز بعد.
console-tokens-revoked-flash = أُلغي الرمز '{ $name }': لم يعد يعمل.
console-tokens-biller = جهة مفوترة { $biller }
console-tokens-no-such = لا رمز بالمعرّف '{ $id }'.
console-tokens-tick = ضع علامة في خانة التأكيد: الرمز الملغى يتوقف عن العمل فورًا.

## الجهات المفوترة ونقاط webhook الخاصة بها

console-billers-heading = الجهات المفوترة وwebhook
console-billers-intro = تتلقى شركات المرافق والبنوك والتجار كل تحديث للإعلانات التي تتابعها على شكل webhook موقَّعة (Standard Webhooks). يمكن للجهة المفوترة إدارة نقاطها بنفسها برمز API خاص بها.
console-billers-contact = جهة الاتصال
console-billers-id = المعرّف
console-billers-no-endpoints = لا نقاط بعد.
console-billers-col-endpoint = النقطة
console-billers-col-events = الأحداث
console-billers-col-services = الخدمات
console-billers-col-state = الحالة
console-billers-all = الكل
console-billers-failing = تفشل
console-billers-enabled = مفعّلة
console-billers-disabled = معطّلة
console-billers-refused = رُفض:
console-billers-add = إضافة نقطة
console-billers-url = العنوان URL
console-billers-description = الوصف
console-billers-contact-email = بريد جهة الاتصال
console-billers-contact-hint = يُبلَّغ إذا عُطّلت النقطة
console-billers-event-types = أنواع الأحداث
console-billers-events-hint = مفصولة بفواصل؛ فارغ للكل
console-billers-services-hint = رموز مفصولة بفواصل؛ فارغ للكل
console-billers-rate = حد المعدل
console-billers-rate-hint = طلبات في الثانية؛ 0 بلا حد
console-billers-ed25519 = التوقيع أيضًا بـ ed25519 ‏(v1a)
console-billers-add-button = إضافة النقطة
console-billers-new-biller = جهة مفوترة جديدة
console-billers-name = الاسم
console-billers-create = إنشاء جهة مفوترة
console-billers-went-wrong = حدث خطأ؛ وهو مُسجَّل في السجل.
console-billers-not-email = '{ $contact }' ليس عنوان بريد إلكتروني
console-billers-rate-not-number = '{ $raw }' ليس عددًا صحيحًا من الطلبات في الثانية (0 بلا حد)
console-billers-created = أُنشئت الجهة المفوترة { $name }.
console-billers-endpoint-created = أُنشئت النقطة { $url }. سر التوقيع الخاص بها، يُعرض الآن فقط: { $secret }
console-endpoint-title = النقطة
console-endpoint-failing-since = تفشل منذ
console-endpoint-enabled = مفعّلة
console-endpoint-disabled = معطّلة
console-endpoint-refused-before = رُفض قبل الإرسال:
console-endpoint-events = الأحداث:
console-endpoint-services = الخدمات:
console-endpoint-all = الكل
console-endpoint-rate = حد المعدل:
console-endpoint-none = بلا حد
console-endpoint-contact = جهة الاتصال
console-endpoint-key = المفتاح العام ed25519:
console-endpoint-previous-before = يظل السر السابق يوقّع حتى
console-endpoint-previous-after = .
console-endpoint-test = إرسال حدث تجريبي
console-endpoint-rotate = تغيير السر
console-endpoint-disable = تعطيل
console-endpoint-replay-missed = إرسال ما فاتها
console-endpoint-enable = تفعيل
console-endpoint-recover-label = إعادة إرسال كل تسليم فاشل منذ
console-endpoint-recover-hint = 2026-04-18T00:00 بتوقيت الصفحة، أو RFC 3339
console-endpoint-recover = استعادة
console-endpoint-deliveries = التسليم
console-endpoint-none-yet = لا شيء بعد.
console-endpoint-col-update = التحديث
console-endpoint-col-state = الحالة
console-endpoint-col-attempts = المحاولات
console-endpoint-webhook-id = webhook-id
console-endpoint-next-try = المحاولة التالية
console-endpoint-send-again = إعادة الإرسال
console-endpoint-test-sent = أُرسل الحدث التجريبي: HTTP { $status } خلال { $ms } مللي ثانية.
console-endpoint-test-failed = لم يُسلَّم الحدث التجريبي: { $error }
console-endpoint-rotated = السر الجديد، يُعرض الآن فقط: { $secret }. ويظل القديم يوقّع حتى { $until }.
console-endpoint-disabled-flash = عُطّلت: تنتظر التحديثات إلى أن تُفعَّل من جديد.
console-endpoint-enabled-flash = فُعّلت؛ وُضع في قائمة الانتظار { $n ->
        [zero] لا تحديثات فائتة
        [one] تحديث فائت واحد
        [two] تحديثان فائتان
        [few] { $n } تحديثات فائتة
       *[other] { $n } تحديثًا فائتًا
    }.
console-endpoint-replayed = وُضع في قائمة الانتظار لإعادة الإرسال.
console-endpoint-no-such-delivery = لا يوجد هذا التسليم، أو أنه قيد الانتظار بالفعل
console-endpoint-recovered = أُعيد إلى قائمة الانتظار { $n ->
        [zero] لا تسليمات فاشلة
        [one] تسليم فاشل واحد
        [two] تسليمان فاشلان
        [few] { $n } تسليمات فاشلة
       *[other] { $n } تسليمًا فاشلًا
    }.

## عندما تتعذر قاعدة البيانات

console-unavailable-title = قاعدة البيانات غير متاحة
console-unavailable-heading = قاعدة البيانات غير متاحة
console-unavailable-nothing-saved = لا يستطيع Tangazo استخدام قاعدة بياناته الآن، فلا يمكن حفظ أي شيء أو تغييره، ولم يُحفظ ما أرسلته للتو.
console-unavailable-page-keeps = تظل صفحة الحالة العامة تعرض ما كانت تعرضه، وتخرج الرسائل الموجودة في قائمة الانتظار فور عودة قاعدة البيانات.
console-unavailable-try-again = حاول مرة أخرى بعد دقيقة. وإذا استمر الأمر، فافحص خادم قاعدة البيانات والقرص الذي يكتب عليه.
console-unavailable-back = العودة إلى لوحة التحكم
