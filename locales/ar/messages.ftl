# Tangazo: الرسائل المرسلة عند كل حدث (العربية).
# الرسائل النصية بالعربية تُرسل بترميز UCS-2 (67 حرفًا لكل جزء): نصوص قصيرة جدًا.

## الرسائل النصية (يضيف الكود "المرجع الرمز الرابط")

sms-maintenance-scheduled = صيانة مجدولة { $window }. الخدمات المتوقفة: { $affected }.{ $has_still_works ->
        [yes] { " " }تظل متاحة: { $still_works }.
       *[no] {""}
    }
sms-maintenance-rescheduled = موعد جديد للصيانة: { $window }. الخدمات المتوقفة: { $affected }.{ $has_still_works ->
        [yes] { " " }تظل متاحة: { $still_works }.
       *[no] {""}
    }
sms-maintenance-reminder = تذكير: صيانة { $window }. الخدمات المتوقفة: { $affected }. أنجزوا مدفوعاتكم العاجلة قبل بدئها.
sms-maintenance-started = قيد الصيانة حتى { $end }: { $affected }.
sms-maintenance-extended = تم تمديد الصيانة حتى { $end }: { $affected }.
sms-maintenance-overrunning = تأخرت الصيانة. لا تزال متوقفة: { $affected }. سنرسل موعدًا جديدًا.
sms-maintenance-completed = انتهت الصيانة{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. عادت للعمل: { $affected }. تحققوا من رصيدكم.
sms-maintenance-cancelled = أُلغيت الصيانة المقررة { $window }. الخدمات تعمل كالمعتاد.
sms-maintenance-updated = مستجدات الصيانة: { $body }
sms-incident-created = عطل في الخدمة: { $affected }. { $body }
sms-incident-updated = مستجدات: { $body }
sms-incident-resolved = تم إصلاح العطل. عادت للعمل: { $affected }. { $body }
sms-test-ping = رسالة تجريبية من { $page_name }.

## عناوين رسائل البريد الإلكتروني

email-subject-maintenance-scheduled = صيانة مجدولة: { $title } ({ $start })
email-subject-maintenance-rescheduled = موعد جديد للصيانة: { $title } ({ $start })
email-subject-maintenance-reminder = تذكير: { $title }، البدء { $start }
email-subject-maintenance-started = بدء الصيانة: { $title }
email-subject-maintenance-extended = تمديد الصيانة: { $title }
email-subject-maintenance-overrunning = تأخر انتهاء الصيانة: { $title }
email-subject-maintenance-completed = انتهاء الصيانة: { $title }
email-subject-maintenance-cancelled = إلغاء الصيانة: { $title }
email-subject-maintenance-updated = مستجدات: { $title }
email-subject-incident-created = عطل في الخدمة: { $title }
email-subject-incident-updated = مستجدات: { $title }
email-subject-incident-resolved = إصلاح العطل: { $title }
email-subject-test-ping = رسالة تجريبية من { $page_name }

## الجملة الأولى في رسائل البريد الإلكتروني

email-lead-maintenance-scheduled = نعتزم إجراء صيانة مجدولة ({ $window }). خلال هذه الفترة لن تتوفر الخدمات التالية: { $affected }. ننصحكم بإتمام مدفوعاتكم العاجلة قبل بدء الصيانة والاحتفاظ ببعض النقود.
email-lead-maintenance-rescheduled = تغيّر موعد الصيانة المجدولة. الموعد الجديد: { $window }. الخدمات التي لن تتوفر خلال هذه الفترة: { $affected }.
email-lead-maintenance-reminder = نذكّركم بأن الخدمات التالية لن تتوفر أثناء الصيانة ({ $window }): { $affected }. ننصحكم بإتمام مدفوعاتكم العاجلة قبل بدئها.
email-lead-maintenance-started = بدأت الصيانة. الخدمات التالية غير متاحة حتى { $end }: { $affected }.
email-lead-maintenance-extended = تستغرق الصيانة وقتًا أطول من المخطط له. تظل الخدمات التالية غير متاحة حتى { $end }: { $affected }.
email-lead-maintenance-overrunning = تجاوزت الصيانة موعد انتهائها المقرر. لا تزال الخدمات التالية غير متاحة: { $affected }. سنرسل إليكم موعدًا تقديريًا جديدًا فور تحديده.
email-lead-maintenance-completed = اكتملت الصيانة{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. عادت الخدمات التالية إلى العمل: { $affected }. يُرجى التحقق من رصيدكم ومن آخر معاملاتكم.
email-lead-maintenance-cancelled = أُلغيت الصيانة المقررة ({ $window }). تعمل الخدمات كالمعتاد.
email-lead-maintenance-updated = لدينا معلومات جديدة بشأن الصيانة.
email-lead-incident-created = نعمل على معالجة عطل يؤثر في الخدمات التالية: { $affected }.
email-lead-incident-updated = لدينا معلومات جديدة بشأن العطل الذي يؤثر في الخدمات التالية: { $affected }.
email-lead-incident-resolved = تم إصلاح العطل، وعادت الخدمات التالية إلى العمل: { $affected }.
email-lead-test-ping = هذه رسالة تجريبية من { $page_name }. يمكنكم تجاهلها.

## نص التحديث حين لا يكتب الفريق نصًا

default-body-maintenance-scheduled = صيانة مجدولة: { $window }.
default-body-maintenance-rescheduled = تم نقل موعد الصيانة إلى { $window }.
default-body-maintenance-reminder = تذكير: صيانة { $window }.
default-body-maintenance-started = بدأت الصيانة.
default-body-maintenance-extended = تستغرق الصيانة وقتًا أطول. الموعد الجديد: { $window }.
default-body-maintenance-overrunning = تجاوزت الصيانة موعد انتهائها المقرر. سنعلن قريبًا عن موعد تقديري جديد.
default-body-maintenance-completed = اكتملت الصيانة وعادت الخدمات.
default-body-maintenance-cancelled = أُلغيت الصيانة. تعمل الخدمات كالمعتاد.
default-body-maintenance-updated = لدينا معلومات جديدة.
default-body-incident-created = نعمل على فحص مشكلة.
default-body-incident-updated = لدينا معلومات جديدة.
default-body-incident-resolved = تم إصلاح العطل وعادت الخدمات.
default-body-test-ping = هذه رسالة تجريبية.

## عناوين البريد الإلكتروني

email-when = الموعد
email-affected = الخدمات المتأثرة
email-still-works = لا تزال تعمل
email-reference = الرقم المرجعي
email-check-at = تحققوا من أنها رسمية عبر
email-details = التفاصيل والمستجدات
email-calendar = إضافة إلى التقويم
email-fraud = لن نطلب منكم أبدًا رقمكم السري (PIN) أو تحويل أي أموال لإعادة الخدمة.
email-unsubscribe = إلغاء الاشتراك
# قبل الرقم المرجعي في نهاية كل رسالة نصية.
email-sms-ref = المرجع

# Between the names in a list of services, with the Arabic comma.
list-separator = {"، "}
