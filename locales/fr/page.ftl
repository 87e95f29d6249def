# Tangazo : la page d'état publique (français, pour l'Afrique francophone : RDC, Côte d'Ivoire…).
# « Avis » = un avis publié sur la page ; « alertes » = ce que reçoit un abonné.

## Libellés de la page

page-services = Services
page-active = En ce moment
page-upcoming = Maintenances prévues
page-history = Historique récent
page-no-history = Aucun avis récent.
page-affected = Services concernés
page-still-works = Toujours disponibles
page-reference = Référence
page-details = Détails et mises à jour
page-updates = Mises à jour
page-window = Période
page-verify-title = Vérifier un message
page-verify-prompt = Vous avez reçu un SMS ou un e-mail au sujet d'une maintenance ? Saisissez son code de référence pour vérifier qu'il est officiel.
page-verify-button = Vérifier
page-verify-official = est un avis officiel
page-verify-unknown = Aucun avis officiel ne porte ce code de référence. Considérez ce message comme un faux.
page-fraud-warning = Nous ne vous demanderons jamais votre code PIN, ni de nous envoyer de l'argent pour rétablir le service.
page-not-found-title = Page introuvable
page-not-found-body = Il n'y a aucune page à cette adresse.
page-back = Retour à la page d'état des services
page-machine-readable = Flux et données
page-updated = Mis à jour le
page-overrunning = En retard
page-times-in = Heures indiquées en
page-nothing-planned = Aucune maintenance prévue.
page-all-notices = Tous les avis
page-all-active = Tout ce qui est en cours
page-all-upcoming = Toutes les maintenances prévues
page-all-history = Tout l'historique récent

## Pages d'inscription

page-subscribe-title = Recevez nos alertes par SMS ou par e-mail
page-subscribe-intro = Nous vous prévenons avant chaque maintenance prévue, à son début et dès le retour des services.
page-subscribe-address = Numéro de téléphone ou adresse e-mail
page-subscribe-language = Langue
page-subscribe-services = Services à suivre
page-subscribe-all = Tous les services
page-subscribe-only = Ou seulement ceux-ci
page-subscribe-consent = Nous vous envoyons un code ou un lien de confirmation. Vous pouvez arrêter à tout moment (répondez STOP ou utilisez le lien présent dans chaque e-mail).
page-subscribe-button = S'abonner

## Désabonnement par adresse

page-unsubscribe-heading = Arrêter les alertes
page-unsubscribe-intro = Saisissez le numéro de téléphone ou l'adresse e-mail qui reçoit nos alertes. Nous y enverrons un lien : ouvrez-le pour les arrêter.
page-unsubscribe-label = Numéro de téléphone ou adresse e-mail
page-unsubscribe-button = M'envoyer le lien

## Page de gestion

page-manage-heading = Vos alertes
page-manage-none-means-all = ne cochez rien pour tout recevoir
page-manage-save = Enregistrer
page-manage-unsubscribe = Se désabonner

## Page de résultat

page-message-code-label = Le code à six chiffres que nous vous avons envoyé
page-message-code-button = Confirmer
page-message-unsubscribe-button = Se désabonner

## État d'un service

status-operational = Disponible
status-under-maintenance = En maintenance
status-degraded-performance = Ralenti
status-partial-outage = Partiellement indisponible
status-major-outage = Indisponible

## État d'un avis

state-draft = Brouillon
state-scheduled = Programmée
state-in-progress = En cours
state-verifying = Vérification des services
state-completed = Terminée
state-cancelled = Annulée
state-investigating = Analyse en cours
state-identified = Cause identifiée
state-monitoring = Corrigé, sous surveillance
state-resolved = Résolu

## Bandeau

banner-none = Tous les services fonctionnent
banner-maintenance = Maintenance en cours
banner-minor = Certains services sont ralentis
banner-major = Certains services sont indisponibles
banner-critical = Les services sont indisponibles
banner-late = La maintenance a pris du retard

## Libellé d'une mise à jour dans l'historique d'un avis

event-maintenance-scheduled = Annonce
event-maintenance-rescheduled = Nouvel horaire
event-maintenance-reminder = Rappel
event-maintenance-started = Début
event-maintenance-extended = Prolongation
event-maintenance-overrunning = Retard
event-maintenance-completed = Fin
event-maintenance-cancelled = Annulation
event-maintenance-updated = Mise à jour
event-incident-created = Problème signalé
event-incident-updated = Mise à jour
event-incident-resolved = Problème résolu
event-test-ping = Test

## Durées (Clockface::minutes), jointes par une espace : jours, heures, minutes.
## Elles vont aussi dans les SMS (via outcome-*) : lettres GSM-7 uniquement.

duration-days =
    { $n ->
        [one] { $n } jour
       *[other] { $n } jours
    }
duration-hours = { $n } h
duration-minutes = { $n } min
duration-under-a-minute = moins d'une minute
# Entre les parties d'une durée (« 1 jour 2 h »).
duration-separator = {" "}

## Fin d'une maintenance par rapport à l'annonce (Clockface::outcome).
## Affiché après l'état (« Terminée · Avec 30 min d'avance ») et entre parenthèses dans le SMS.

outcome-early = Avec { $duration } d'avance
outcome-late = Avec { $duration } de retard
outcome-on-time = Dans les délais prévus

## Clockface::ends

ends = Fin annoncée : { $announced } ; fin réelle : { $ended }

## Clockface::overrun

overrun = Dépassement de { $late } par rapport à la fin prévue ({ $planned }). Nous publierons une nouvelle estimation.

## The language's own name, for language switchers

language-name = Français
# The CLDR locale whose date and time patterns, day and month names this language uses.
cldr-locale = fr
