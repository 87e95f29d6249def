# Tangazo: الاشتراك والتأكيد والإدارة وإلغاء الاشتراك (العربية).

## صفحات النتيجة والأخطاء

# يليه ": " وسبب الرفض.
subscribe-bad-address = يُرجى التحقق من رقم الهاتف أو البريد الإلكتروني
subscribe-try-later = طلبات الاشتراك كثيرة جدًا حاليًا. يُرجى المحاولة لاحقًا.
subscribe-check-email = أرسلنا إليكم رسالة بريد إلكتروني. افتحوا الرابط الموجود فيها للتأكيد.
subscribe-check-phone = أرسلنا إليكم رسالة نصية تتضمن رمزًا من ستة أرقام. أدخلوه هنا للتأكيد.
subscribe-already = هذا العنوان مشترك بالفعل. لم نرسل أي رسالة جديدة.
subscribe-confirmed = تم تأكيد اشتراككم. سنُعلمكم بأعمال الصيانة والأعطال.
subscribe-link-expired = انتهت صلاحية هذا الرابط. يُرجى الاشتراك من جديد.
subscribe-link-bad = هذا الرابط غير صالح.
# يليه مسافة وعدد المحاولات المتبقية.
subscribe-wrong-code = الرمز غير صحيح. عدد المحاولات المتبقية:
subscribe-code-expired = لم يعد بالإمكان استخدام هذا الرمز. يُرجى الاشتراك من جديد.
subscribe-unsubscribed = تم إلغاء اشتراككم. لن تصلكم إشعارات بعد الآن.
subscribe-unsubscribe-q = إيقاف جميع الإشعارات المرسلة إلى هذا العنوان؟
subscribe-unknown-link = هذا الرابط لم يعد صالحًا.

## رسالة التأكيد بالبريد الإلكتروني

subscribe-email-subject = تأكيد اشتراككم
subscribe-email-body = يُرجى تأكيد رغبتكم في تلقي إشعارات بشأن أعمال الصيانة والأعطال. افتحوا هذا الرابط:
subscribe-not-you = لم تطلبوا الاشتراك؟ أوقفوا هذه الرسائل
subscribe-manage = اختيار اللغة والخدمات

## إلغاء الاشتراك بالعنوان؛ يُرسل stop-body أيضًا برسالة نصية.

subscribe-stop-subject = إيقاف الإشعارات
subscribe-stop-body = افتحوا هذا الرابط لإيقاف إشعاراتنا

## رسالة التأكيد النصية، تُرسل بالشكل "{اسم الصفحة} {subscribe-sms-code}"

subscribe-sms-code =
    رمز التأكيد: { $code }. أدخلوه في الصفحة لتلقي الإشعارات. تنتهي صلاحيته بعد { $hours ->
        [zero] { $hours } ساعة
        [one] ساعة واحدة
        [two] ساعتين
        [few] { $hours } ساعات
        [many] { $hours } ساعة
       *[other] { $hours } ساعة
    }.

## Other messages of the sign-up flow

subscribe-saved = تم الحفظ.
subscribe-unsubscribe-sent = إذا كان هذا العنوان يتلقى إشعاراتنا، فقد أرسلنا إليه رابطًا لإيقافها.

## سبب رفض العنوان المُدخل

subscribe-address-not-email = «{ $shown }» ليس عنوان بريد إلكتروني
subscribe-address-not-phone = «{ $shown }» ليس رقم هاتف
subscribe-address-invalid-phone = «{ $shown }» ليس رقم هاتف صالحًا
subscribe-address-country-refused = لا تُقبل هنا أرقام من { $country } (المقبول: { $allowed })
subscribe-address-country-unknown = لا تُقبل هنا أرقام من هذا البلد (المقبول: { $allowed })

# رسالة خطأ النموذج: subscribe-bad-address ثم السبب.
subscribe-address-refused = { $label }: { $reason }
