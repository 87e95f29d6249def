# Tangazo : inscription, confirmation, gestion et désabonnement (français).

## Pages de résultat et erreurs

# Suivi de « : » et de la raison du refus.
subscribe-bad-address = Veuillez vérifier le numéro de téléphone ou l'adresse e-mail
subscribe-try-later = Trop d'inscriptions en ce moment. Veuillez réessayer plus tard.
subscribe-check-email = Nous vous avons envoyé un e-mail. Ouvrez le lien qu'il contient pour confirmer.
subscribe-check-phone = Nous vous avons envoyé un SMS avec un code à six chiffres. Saisissez-le ici pour confirmer.
subscribe-already = Cette adresse est déjà abonnée. Nous n'avons rien envoyé de nouveau.
subscribe-confirmed = Votre abonnement est confirmé. Nous vous préviendrons des maintenances et des incidents.
subscribe-link-expired = Ce lien a expiré. Veuillez vous inscrire à nouveau.
subscribe-link-bad = Ce lien n'est pas valide.
# Suivi d'une espace et du nombre d'essais restants.
subscribe-wrong-code = Ce code est incorrect. Essais restants :
subscribe-code-expired = Ce code ne peut plus être utilisé. Veuillez vous inscrire à nouveau.
subscribe-unsubscribed = Votre désabonnement est confirmé. Vous ne recevrez plus nos alertes.
subscribe-unsubscribe-q = Arrêter toutes les alertes envoyées à cette adresse ?
subscribe-unknown-link = Ce lien n'est plus valide.

## E-mail de confirmation

subscribe-email-subject = Confirmez votre abonnement
subscribe-email-body = Veuillez confirmer que vous souhaitez recevoir nos alertes sur les maintenances et les incidents. Ouvrez ce lien :
subscribe-not-you = Vous n'avez rien demandé ? Arrêter ces e-mails
subscribe-manage = Choisir la langue et les services

## Désabonnement par adresse ; stop-body part aussi par SMS : lettres GSM-7 uniquement.

subscribe-stop-subject = Arrêter les alertes
subscribe-stop-body = Ouvrez ce lien pour ne plus recevoir nos alertes

## SMS de confirmation, envoyé sous la forme « {nom de la page} {subscribe-sms-code} »

subscribe-sms-code = code : { $code }. Saisissez-le sur la page pour recevoir nos alertes. Il expire dans { $hours } h.

## Autres messages de l'inscription

subscribe-saved = Enregistré.
subscribe-unsubscribe-sent = Si cette adresse reçoit nos alertes, nous lui avons envoyé un lien pour les arrêter.

## Pourquoi l'adresse saisie est refusée

subscribe-address-not-email = « { $shown } » n'est pas une adresse e-mail
subscribe-address-not-phone = « { $shown } » n'est pas un numéro de téléphone
subscribe-address-invalid-phone = « { $shown } » n'est pas un numéro de téléphone valide
subscribe-address-country-refused = les numéros de ce pays ({ $country }) ne sont pas acceptés ici (pays acceptés : { $allowed })
subscribe-address-country-unknown = les numéros de ce pays ne sont pas acceptés ici (pays acceptés : { $allowed })

# Message d'erreur du formulaire : subscribe-bad-address, puis la raison.
subscribe-address-refused = { $label } : { $reason }
