# Tangazo : les messages envoyés pour chaque événement (français).
# SMS : lettres de l'alphabet GSM-7 uniquement (é è à ù É, pas de ç ê â î ô û), textes courts.
# « Hors service » / « En service » restent invariables quelle que soit la liste des services.

## SMS (le code ajoute « Réf. CODE lien »)

sms-maintenance-scheduled = Maintenance prévue { $window }. Hors service : { $affected }.{ $has_still_works ->
        [yes] { " " }En service : { $still_works }.
       *[no] {""}
    }
sms-maintenance-rescheduled = Nouvel horaire de maintenance : { $window }. Hors service : { $affected }.{ $has_still_works ->
        [yes] { " " }En service : { $still_works }.
       *[no] {""}
    }
sms-maintenance-reminder = Rappel : maintenance { $window }. Hors service : { $affected }. Effectuez vos paiements urgents avant le début.
sms-maintenance-started = Maintenance en cours jusqu'au { $end }. Hors service : { $affected }.
sms-maintenance-extended = Maintenance prolongée jusqu'au { $end }. Hors service : { $affected }.
sms-maintenance-overrunning = La maintenance a pris du retard. Toujours hors service : { $affected }. Nous vous enverrons une nouvelle estimation.
sms-maintenance-completed = Maintenance terminée{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. De nouveau en service : { $affected }. Vérifiez votre solde.
sms-maintenance-cancelled = La maintenance prévue { $window } est annulée. Les services fonctionnent normalement.
sms-maintenance-updated = Info maintenance : { $body }
sms-incident-created = Perturbation : { $affected }. { $body }
sms-incident-updated = Mise à jour : { $body }
sms-incident-resolved = Résolu : { $affected } de nouveau en service. { $body }
sms-test-ping = Message de test de { $page_name }.

## Objet des e-mails

email-subject-maintenance-scheduled = Maintenance prévue : { $title } ({ $start })
email-subject-maintenance-rescheduled = Nouvel horaire de maintenance : { $title } ({ $start })
email-subject-maintenance-reminder = Rappel : { $title }, début { $start }
email-subject-maintenance-started = Début de la maintenance : { $title }
email-subject-maintenance-extended = Maintenance prolongée : { $title }
email-subject-maintenance-overrunning = Maintenance en retard : { $title }
email-subject-maintenance-completed = Maintenance terminée : { $title }
email-subject-maintenance-cancelled = Maintenance annulée : { $title }
email-subject-maintenance-updated = Mise à jour : { $title }
email-subject-incident-created = Perturbation : { $title }
email-subject-incident-updated = Mise à jour : { $title }
email-subject-incident-resolved = Résolu : { $title }
email-subject-test-ping = Message de test de { $page_name }

## Première phrase des e-mails

email-lead-maintenance-scheduled = Nous avons prévu une maintenance ({ $window }). Pendant cette période, les services suivants seront indisponibles : { $affected }. Nous vous invitons à effectuer vos paiements urgents avant son début et à garder un peu d'argent liquide sur vous.
email-lead-maintenance-rescheduled = L'horaire de la maintenance prévue a changé. Nouvelle période : { $window }. Services indisponibles pendant cette période : { $affected }.
email-lead-maintenance-reminder = Pour rappel, les services suivants seront indisponibles pendant la maintenance ({ $window }) : { $affected }. Nous vous invitons à effectuer vos paiements urgents avant son début.
email-lead-maintenance-started = La maintenance a commencé. Les services suivants sont indisponibles jusqu'au { $end } : { $affected }.
email-lead-maintenance-extended = La maintenance prend plus de temps que prévu. Les services suivants restent indisponibles jusqu'au { $end } : { $affected }.
email-lead-maintenance-overrunning = La maintenance dépasse l'heure de fin prévue. Les services suivants sont toujours indisponibles : { $affected }. Nous vous communiquerons une nouvelle estimation dès que possible.
email-lead-maintenance-completed = La maintenance est terminée{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. Les services suivants sont rétablis : { $affected }. Nous vous invitons à vérifier votre solde et vos dernières transactions.
email-lead-maintenance-cancelled = La maintenance prévue ({ $window }) est annulée. Les services fonctionnent normalement.
email-lead-maintenance-updated = Voici une nouvelle information concernant la maintenance.
email-lead-incident-created = Nous traitons actuellement un problème qui touche les services suivants : { $affected }.
email-lead-incident-updated = Voici une nouvelle information concernant le problème qui touche les services suivants : { $affected }.
email-lead-incident-resolved = Le problème est résolu. Les services suivants fonctionnent de nouveau : { $affected }.
email-lead-test-ping = Ceci est un message de test de { $page_name }. Vous pouvez l'ignorer.

## Texte d'une mise à jour quand l'équipe n'en écrit pas.
## Il peut partir par SMS ($body) : lettres GSM-7 uniquement.

default-body-maintenance-scheduled = Une maintenance est prévue : { $window }.
default-body-maintenance-rescheduled = La maintenance a été déplacée : { $window }.
default-body-maintenance-reminder = Rappel : maintenance { $window }.
default-body-maintenance-started = La maintenance a commencé.
default-body-maintenance-extended = La maintenance prend plus de temps que prévu. Nouvelle période : { $window }.
default-body-maintenance-overrunning = La maintenance dépasse l'heure de fin prévue. Nous donnerons prochainement une nouvelle estimation.
default-body-maintenance-completed = La maintenance est terminée et les services sont rétablis.
default-body-maintenance-cancelled = La maintenance a été annulée. Les services fonctionnent normalement.
default-body-maintenance-updated = Nous avons une nouvelle information.
default-body-incident-created = Nous examinons un problème.
default-body-incident-updated = Nous avons une nouvelle information.
default-body-incident-resolved = Le problème est résolu et les services sont rétablis.
default-body-test-ping = Ceci est un message de test.

## Libellés de l'e-mail

email-when = Période
email-affected = Services concernés
email-still-works = Toujours disponibles
email-reference = Référence
email-check-at = Vérifiez son authenticité sur
email-details = Détails et mises à jour
email-calendar = Ajouter au calendrier
email-fraud = Nous ne vous demanderons jamais votre code PIN, ni de nous envoyer de l'argent pour rétablir le service.
email-unsubscribe = Se désabonner
# Avant le code de référence, à la fin de chaque SMS.
email-sms-ref = Réf.

# Between the names in a list of services ("Send money, Pay bill").
list-separator = {", "}
