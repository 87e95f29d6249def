# Tangazo: صفحة حالة الخدمات العامة (العربية الفصحى، مصر).
# يُخاطَب العميل بصيغة الجمع المهذبة (كم)، وتأتي الأزرار بصيغة الأمر المعتادة في الواجهات.
# صيغ الجمع: zero / one / two / few (3-10) / many (11-99) / other (100…)؛ العدد بعد حرف جر في
# أغلب السياقات ("بمقدار"، "بعد")، لذا يُستعمل المثنى بالياء (ساعتين، يومين، دقيقتين).

## عناوين الصفحة

page-services = الخدمات
page-active = الجارية الآن
page-upcoming = الصيانة المجدولة
page-history = الأحداث الأخيرة
page-no-history = لا توجد إشعارات في الفترة الأخيرة.
page-affected = الخدمات المتأثرة
page-still-works = لا تزال تعمل
page-reference = الرقم المرجعي
page-details = التفاصيل والمستجدات
page-updates = المستجدات
page-window = الفترة
page-verify-title = التحقق من رسالة
page-verify-prompt = هل وصلتكم رسالة نصية أو بريد إلكتروني بشأن أعمال صيانة؟ أدخلوا الرقم المرجعي الوارد فيها للتحقق من أنها رسمية.
page-verify-button = تحقق
page-verify-official = رقم مرجعي لإشعار رسمي
page-verify-unknown = لا يوجد إشعار رسمي يحمل هذا الرقم المرجعي. يُرجى اعتبار هذه الرسالة مزيفة.
page-fraud-warning = لن نطلب منكم أبدًا رقمكم السري (PIN) أو تحويل أي أموال لإعادة الخدمة.
page-not-found-title = الصفحة غير موجودة
page-not-found-body = لا توجد صفحة على هذا العنوان.
page-back = العودة إلى صفحة حالة الخدمات
page-machine-readable = الخلاصات والبيانات
page-updated = آخر تحديث
page-overrunning = متأخرة عن موعدها
page-times-in = الأوقات بتوقيت
page-nothing-planned = لا توجد صيانة مجدولة.
page-all-notices = جميع الإشعارات
page-all-active = كل ما يجري الآن
page-all-upcoming = جميع أعمال الصيانة المجدولة
page-all-history = جميع الأحداث الأخيرة

## صفحات الاشتراك

page-subscribe-title = تلقي الإشعارات عبر الرسائل النصية أو البريد الإلكتروني
page-subscribe-intro = نُعلمكم قبل أعمال الصيانة المجدولة، وعند بدئها، وعند عودة الخدمات.
page-subscribe-address = رقم الهاتف أو البريد الإلكتروني
page-subscribe-language = اللغة
page-subscribe-services = الخدمات التي تهمكم
page-subscribe-all = جميع الخدمات
page-subscribe-only = أو هذه الخدمات فقط
page-subscribe-consent = سنرسل إليكم رمزًا أو رابطًا للتأكيد. ويمكنكم إيقاف الإشعارات في أي وقت (بالرد بكلمة STOP أو عبر الرابط الموجود في كل رسالة بريد إلكتروني).
page-subscribe-button = اشترك

## إلغاء الاشتراك بالعنوان

page-unsubscribe-heading = إيقاف الإشعارات
page-unsubscribe-intro = اكتبوا رقم الهاتف أو البريد الإلكتروني الذي يتلقى إشعاراتنا، وسنرسل إليه رابطًا؛ افتحوه لإيقافها.
page-unsubscribe-label = رقم الهاتف أو البريد الإلكتروني
page-unsubscribe-button = أرسل لي الرابط

## صفحة إدارة الاشتراك

page-manage-heading = إشعاراتكم
page-manage-none-means-all = اتركوا الخانات فارغة لاختيار الكل
page-manage-save = حفظ
page-manage-unsubscribe = إلغاء الاشتراك

## صفحة النتيجة

page-message-code-label = الرمز المكون من ستة أرقام الذي أرسلناه إليكم
page-message-code-button = تأكيد
page-message-unsubscribe-button = إلغاء الاشتراك

## حالة الخدمة

status-operational = متاح
status-under-maintenance = قيد الصيانة
status-degraded-performance = بطيء
status-partial-outage = غير متاح جزئيًا
status-major-outage = غير متاح

## حالة الإشعار

state-draft = مسودة
state-scheduled = مجدولة
state-in-progress = جارية
state-verifying = جارٍ التحقق من الخدمات
state-completed = اكتملت
state-cancelled = أُلغيت
state-investigating = قيد الفحص
state-identified = تم تحديد السبب
state-monitoring = تم الإصلاح وجارٍ المتابعة
state-resolved = تم الحل

## الشريط أعلى الصفحة

banner-none = جميع الخدمات تعمل
banner-maintenance = الصيانة جارية
banner-minor = بعض الخدمات بطيئة
banner-major = بعض الخدمات غير متاحة
banner-critical = الخدمات غير متاحة
banner-late = الصيانة متأخرة عن موعد انتهائها

## عنوان كل تحديث في سجل الإشعار

event-maintenance-scheduled = إعلان
event-maintenance-rescheduled = موعد جديد
event-maintenance-reminder = تذكير
event-maintenance-started = بدء الصيانة
event-maintenance-extended = تمديد
event-maintenance-overrunning = تأخير
event-maintenance-completed = انتهاء الصيانة
event-maintenance-cancelled = إلغاء
event-maintenance-updated = تحديث
event-incident-created = الإبلاغ عن عطل
event-incident-updated = تحديث
event-incident-resolved = إصلاح العطل
event-test-ping = اختبار

## المدد (Clockface::minutes)، يجمعها الكود بمسافة: الأيام ثم الساعات ثم الدقائق.

duration-days =
    { $n ->
        [zero] { $n } يوم
        [one] يوم واحد
        [two] يومين
        [few] { $n } أيام
        [many] { $n } يومًا
       *[other] { $n } يوم
    }
duration-hours =
    { $n ->
        [zero] { $n } ساعة
        [one] ساعة واحدة
        [two] ساعتين
        [few] { $n } ساعات
        [many] { $n } ساعة
       *[other] { $n } ساعة
    }
duration-minutes =
    { $n ->
        [zero] { $n } دقيقة
        [one] دقيقة واحدة
        [two] دقيقتين
        [few] { $n } دقائق
        [many] { $n } دقيقة
       *[other] { $n } دقيقة
    }
duration-under-a-minute = أقل من دقيقة
# بين أجزاء المدة ("يوم واحد وساعتين").
duration-separator = {" و"}

## كيف انتهت الصيانة مقارنةً بالموعد المعلن (Clockface::outcome).
## يظهر بعد الحالة ("اكتملت · مبكرًا بمقدار 30 دقيقة") وبين قوسين في الرسالة النصية.

outcome-early = مبكرًا بمقدار { $duration }
outcome-late = متأخرة بمقدار { $duration }
outcome-on-time = في موعدها

## Clockface::ends

ends = موعد الانتهاء المعلن: { $announced }؛ الانتهاء الفعلي: { $ended }

## Clockface::overrun

overrun = تجاوزت الصيانة موعد انتهائها المقرر ({ $planned }) بمقدار { $late }. سننشر موعدًا تقديريًا جديدًا.

## The language's own name, for language switchers

language-name = العربية
# The CLDR locale whose date and time patterns, day and month names this language uses.
cldr-locale = ar-u-nu-latn
