# La console du personnel : les mots de ses pages, boutons et messages. Les noms d'état et les
# codes d'événement (in_progress, maintenance.started) s'affichent tels quels.

## Le cadre de chaque page

console-title = Console Tangazo
console-nav-new-notice = Nouvel avis
console-nav-services = Services
console-nav-subscribers = Abonnés
console-nav-billers = Facturiers
console-nav-audit = Journal d'audit
console-nav-tokens = Jetons
console-nav-password = Mot de passe
console-nav-public = Page publique
console-log-out = Se déconnecter

## Refus et résultats

console-error-title = Refusé
console-error-back = Retour à la console
console-error-csrf = Le formulaire a expiré ou ne vient pas de cette console (jeton CSRF absent ou erroné). Revenez en arrière, rechargez la page et réessayez.
console-error-role = Il faut le rôle { $needed } ; vous êtes { $has }.
console-error-not-done = Non effectué : { $message }.
console-already-done = Déjà fait : ce formulaire a déjà été envoyé (rechargement, bouton Retour ou second clic), rien n'a donc été refait ni renvoyé. Cette page montre la situation actuelle.
console-saved = Enregistré.

## Connexion, mot de passe

console-login-title = Connexion
console-login-heading = Connexion du personnel
console-login-email = E-mail
console-login-password = Mot de passe
console-login-button = Se connecter
console-login-expired = Le formulaire de connexion a expiré. Veuillez réessayer.
console-login-throttled = Trop de tentatives de connexion depuis votre adresse. Attendez 15 minutes et réessayez.
console-login-refused = E-mail ou mot de passe incorrect. Après { $n } mots de passe erronés, un compte est bloqué pendant { $minutes } minutes.
console-password-title = Changer le mot de passe
console-password-current = Mot de passe actuel
console-password-new = Nouveau mot de passe
console-password-new-hint = au moins 12 caractères
console-password-refused = Nouveau mot de passe : { $why }.
console-password-wrong = Le mot de passe actuel est erroné.

## Tableau de bord

console-dashboard-title = Avis
console-dashboard-new-notice = Nouvel avis
console-dashboard-col-title = Titre
console-dashboard-col-kind = Type
console-dashboard-col-state = État
console-dashboard-col-window = Période
console-dashboard-col-reference = Référence
console-dashboard-overrunning = en dépassement
console-dashboard-empty = Aucun avis pour l'instant.

## Le formulaire d'avis

console-form-new-heading = Nouvel avis
console-form-edit-heading = Modifier le brouillon { $reference }
console-form-nothing-saved = Rien n'a été enregistré : { $n ->
        [one] { $n } champ est à revoir
       *[other] { $n } champs sont à revoir
    } (signalés ci-dessous).
console-form-kind = Type
console-form-maintenance = Maintenance planifiée
console-form-incident = Incident
console-form-title = Titre
console-form-required = obligatoire
console-form-optional = facultatif : la langue par défaut est utilisée si vide
console-form-affected = Services touchés
console-form-impact-on = Impact sur
console-form-starts = Début
console-form-ends = Fin
console-form-auto-start = Démarrer automatiquement au début prévu
console-form-auto-complete = Terminer automatiquement à la fin prévue
console-form-still-works = Ce qui fonctionne encore
console-form-still-works-hint = p. ex. le retrait chez les agents
console-form-announcement = Annonce
console-form-overrides = Textes SMS et e-mail personnalisés
console-form-overrides-hint = Remplace le texte du modèle. Variables : {"{"}title{"}"} {"{"}window{"}"} {"{"}start{"}"} {"{"}end{"}"} {"{"}affected{"}"} {"{"}still_works{"}"} {"{"}reference{"}"} {"{"}verify_url{"}"} {"{"}page_url{"}"} {"{"}body{"}"}. Écrivez {"{{"} pour un {"{"} littéral, {"}}"} pour {"}"}. Le SMS se termine toujours par la référence et le lien de vérification.
console-form-sms = SMS
console-form-email-opening = Début de l'e-mail
console-form-save-draft = Enregistrer le brouillon
console-form-save-changes = Enregistrer les modifications

## L'aperçu de ce qu'un avis envoie

console-preview-title = Aperçu
console-preview-press = Cliquez sur Aperçu pour voir le SMS, l'e-mail et le nombre de segments dans chaque langue.
console-preview-fix-first = Corrigez d'abord le formulaire :
console-preview-heading = Ce que recevront les clients
console-preview-cannot-send = Impossible à envoyer en l'état :
console-preview-sms = SMS
console-preview-segments = { $n ->
        [one] { $n } segment
       *[other] { $n } segments
    }
console-preview-septets = septets
console-preview-ucs2-units = unités UCS-2
console-preview-script = écrit dans une écriture que GSM-7 ne peut pas transmettre
console-preview-forcing = caractères imposant l'UCS-2 :
console-preview-remove = Les retirer du SMS
console-preview-email = E-mail
console-preview-subject = Objet :
console-preview-reference-note = Le code de référence est attribué à l'enregistrement de l'avis ; { $placeholder } le remplace ici.

## La page d'un avis

console-notice-overrunning = en dépassement
console-notice-reference = Référence
console-notice-public-page = page publique
console-notice-edit-draft = Modifier le brouillon
console-notice-window = Période
console-notice-affected = Touchés
console-notice-still-works = Fonctionne encore
console-notice-written-by = Rédigé par
console-notice-actions = Actions
console-notice-who-is-told = Qui est informé :
console-notice-told-at-once = la page publique, le JSON, les flux et le calendrier immédiatement ;
console-notice-told-sms = abonnés SMS,
console-notice-told-email = abonnés e-mail et
console-notice-told-endpoints = point(s) de terminaison webhook de facturiers suivent les services touchés.
console-notice-actions-note = Chaque action met ses SMS et e-mails en file dans la même transaction ; un message non envoyé d'une mise à jour plus ancienne est remplacé par la plus récente. Chaque formulaire ne sert qu'une fois, et seulement sur l'avis tel que cette page le montre : après une modification, rechargez la page. Chaque action figure au journal d'audit.
console-notice-four-eyes = La double validation est activée : un autre publieur doit publier cet avis.
console-notice-new-end = Nouvelle fin
console-notice-new-start = Nouveau début
console-notice-status = Statut
console-notice-unchanged = (inchangé)
console-notice-message = Message
console-notice-required = obligatoire
console-notice-optional-standard = facultatif : un texte standard est utilisé
console-notice-i-confirm = Je confirme :
console-notice-no-actions-before = Aucune action : l'avis est terminé, ou votre rôle
console-notice-no-actions-after = ne permet pas de le modifier.
console-notice-changes = Modifications depuis la rédaction
console-notice-no-changes-before = Aucune : c'est le brouillon tel que
console-notice-no-changes-after = l'a rédigé.
console-notice-col-when = Quand
console-notice-col-who = Qui
console-notice-col-field = Champ
console-notice-col-before = Avant
console-notice-col-after = Après
console-notice-deliveries = Envois
console-notice-nothing-queued = Rien en file : aucun abonné ne suit les services touchés, ou l'avis n'est pas publié.
console-notice-col-update = Mise à jour
console-notice-col-channel = Canal
console-notice-col-sent = Envoyés
console-notice-col-pending = En attente
console-notice-col-failed = Échoués
console-notice-col-superseded = Remplacés
console-notice-col-delivered = Remis
console-notice-not-delivered = non remis
console-notice-recent-failures = Échecs récents
console-notice-also-json = Aussi en JSON :
console-notice-timeline = Historique
console-notice-not-published = Pas encore publié.
console-eta-seconds = environ { $n } s
console-eta-minutes = environ { $n } min
console-eta-hours = environ { $hours } h

## Boutons d'action, ce que chacun fait, et statuts des mises à jour

console-action-publish = Publier
console-action-discard = Supprimer le brouillon
console-action-start = Démarrer
console-action-extend = Prolonger
console-action-reschedule = Reprogrammer
console-action-update = Publier une mise à jour
console-action-cancel = Annuler la maintenance
console-action-complete = Terminer
console-action-resolve = Résolu
console-does-publish = publier cet avis comme officiel ; la page publique l'affiche dès maintenant
console-does-discard = supprimer ce brouillon : rien n'est envoyé, et la page publique ne l'affiche jamais
console-does-tell = la page publique change dès maintenant
console-does-complete = les services sont rétablis ; informer tout le monde
console-does-resolve = le problème est réglé ; informer tout le monde
console-status-in-progress = En cours
console-status-verifying = Vérification des services
console-status-investigating = Analyse en cours
console-status-identified = Cause identifiée
console-status-monitoring = Corrigé, sous surveillance
console-check-older-page = Ce formulaire vient d'une page plus ancienne ; il n'a pas été envoyé. Vérifiez l'avis ci-dessous, puis réessayez.
console-check-tick = Cochez la case de confirmation : cela change ce que voient les clients.
console-check-write-update = rédigez la mise à jour que liront les clients
console-check-new-end = indiquez la nouvelle fin
console-check-new-window = starts_at et ends_at : indiquez la nouvelle période

## Ce qu'une action envoie

console-reach-sms = { $count } SMS
console-reach-email = { $n ->
        [one] { $count } e-mail
       *[other] { $count } e-mails
    }
console-reach-webhook = { $n ->
        [one] { $count } webhook
       *[other] { $count } webhooks
    }
console-reach-list = { $init } et { $last }
console-reach-nothing-sent = Rien n'est envoyé : aucun abonné ni facturier ne suit les services touchés.
console-reach-sends = Ceci envoie { $list } maintenant.
console-reach-sends-held-only = Ceci n'envoie rien maintenant ; les { $sms } attendent la fin des heures de silence ({ $at }).
console-reach-sends-held = Ceci envoie { $list } maintenant ; les { $sms } attendent la fin des heures de silence ({ $at }).
console-reach-nothing-queued = Rien n'a été mis en file : aucun abonné ni facturier ne suit les services touchés.
console-reach-queued = En file : { $list }.
console-reach-queued-held = En file : { $list } ; les SMS partiront à la fin des heures de silence ({ $at }).
console-reach-discarded = Fait : brouillon supprimé. Rien n'a été envoyé, et la page publique ne l'a jamais affiché.
console-reach-done = Fait : { $event } (mise à jour n° { $sequence }). La page publique l'affiche maintenant. { $queued }

## Services

console-services-title = Services
console-services-intro = La page affiche les services dans cet ordre, par groupe. Un statut fixé ici s'affiche sur la page jusqu'à ce qu'un avis concernant le service indique pire.
console-services-col-code = Code
console-services-col-names = Nom, dans chaque langue
console-services-col-group = Groupe
console-services-col-position = Position
console-services-col-status = Statut
console-services-name-of = Nom de
console-services-name-in = en
console-services-group-of = Groupe de
console-services-position-of = Position de
console-services-status-of = Statut de
console-services-page-shows = la page affiche :
console-services-save = Enregistrer
console-services-whole-number = la position doit être un nombre entier
console-services-saved = { $code } enregistré.

## Abonnés et import

console-subscribers-title = Abonnés
console-subscribers-import = Importer un CSV
console-subscribers-by-channel = Par canal, langue et état
console-subscribers-col-channel = Canal
console-subscribers-col-language = Langue
console-subscribers-col-state = État
console-subscribers-col-count = Nombre
console-subscribers-empty = Aucun abonné pour l'instant.
console-subscribers-by-service = Confirmés, par service suivi
console-subscribers-col-service = Service
console-subscribers-col-sms = SMS
console-subscribers-col-email = E-mail
console-subscribers-find = Trouver un abonné
console-subscribers-address-label = Numéro de téléphone ou adresse e-mail exact
console-subscribers-find-button = Chercher
console-subscribers-address = Adresse
console-subscribers-follows = Suit
console-subscribers-signed-up = Inscrit
console-subscribers-confirmed = Confirmé
console-subscribers-all-services = tous les services
console-subscribers-not-yet = pas encore
console-subscribers-none = Aucun abonné n'a l'adresse { $address }.
console-import-title = Importer des abonnés
console-import-intro-file = Un fichier CSV (UTF-8) avec une ligne d'en-tête.
console-import-intro-required = Colonnes obligatoires :
console-import-intro-address = (numéro de téléphone ou e-mail) et
console-import-intro-yes = sur chaque ligne : n'importez que des personnes ayant demandé les avis
console-import-intro-optional = Facultatives :
console-import-intro-separated = codes séparés par
console-import-intro-empty = vide pour tous
console-import-checked-first = Tout le fichier est vérifié d'abord ; une seule ligne erronée arrête l'import et rien n'est enregistré. Les adresses déjà abonnées restent telles quelles : importer deux fois un fichier ne change rien.
console-import-file = Fichier
console-import-button = Importer
console-import-failed = L'envoi du fichier a échoué : { $why }
console-import-expired = Le formulaire a expiré (jeton CSRF absent ou erroné). Rechargez et réessayez.
console-import-choose = choisissez un fichier CSV
console-import-done = { $rows } lignes : { $new } nouveaux abonnés, { $present } déjà présents.

## Journal d'audit

console-audit-title = Journal d'audit
console-audit-actor = Auteur
console-audit-action = Action
console-audit-target = Cible
console-audit-filter = Filtrer
console-audit-col-when = Quand (UTC)
console-audit-col-who = Qui
console-audit-col-before-after = Avant → après
console-audit-empty = Aucun résultat.

## Jetons d'API

console-tokens-title = Jetons d'API
console-tokens-intro-before = Jetons de l'API du personnel
console-tokens-intro-middle = et des facturiers. Un jeton n'est affiché qu'une fois, à sa création
console-tokens-intro-after = seule son empreinte est conservée. Révoquez un jeton divulgué ou inutilisé : il cesse aussitôt de fonctionner.
console-tokens-col-name = Nom
console-tokens-col-role = Rôle
console-tokens-col-id = Id
console-tokens-col-created = Créé
console-tokens-col-state = État
console-tokens-revoked = révoqué
console-tokens-i-confirm = Je confirme :
console-tokens-token = le jeton
console-tokens-stops = cesse aussitôt de fonctionner
console-tokens-revoke = Révoquer
console-tokens-empty = Aucun jeton pour l'instant.
console-tokens-revoked-flash = Jeton « { $name } » révoqué : il ne fonctionne plus.
console-tokens-biller = facturier { $biller }
console-tokens-no-such = Aucun jeton n'a l'id « { $id } ».
console-tokens-tick = Cochez la case de confirmation : un jeton révoqué cesse aussitôt de fonctionner.

## Facturiers et leurs points de terminaison webhook

console-billers-heading = Facturiers et webhooks
console-billers-intro = Les fournisseurs d'eau et d'électricité, les banques et les marchands reçoivent chaque mise à jour des avis qu'ils suivent sous forme de webhooks signés (Standard Webhooks). Un facturier peut gérer ses propres points de terminaison avec son propre jeton d'API.
console-billers-contact = Contact
console-billers-id = id
console-billers-no-endpoints = Aucun point de terminaison pour l'instant.
console-billers-col-endpoint = Point de terminaison
console-billers-col-events = Événements
console-billers-col-services = Services
console-billers-col-state = État
console-billers-all = tous
console-billers-failing = en échec
console-billers-enabled = activé
console-billers-disabled = désactivé
console-billers-refused = refusé :
console-billers-add = Ajouter un point de terminaison
console-billers-url = URL
console-billers-description = Description
console-billers-contact-email = E-mail de contact
console-billers-contact-hint = prévenu si le point de terminaison est désactivé
console-billers-event-types = Types d'événements
console-billers-events-hint = séparés par des virgules ; vide pour tous
console-billers-services-hint = codes séparés par des virgules ; vide pour tous
console-billers-rate = Limite de débit
console-billers-rate-hint = requêtes par seconde ; 0 pour aucune
console-billers-ed25519 = Signer aussi avec ed25519 (v1a)
console-billers-add-button = Ajouter
console-billers-new-biller = Nouveau facturier
console-billers-name = Nom
console-billers-create = Créer le facturier
console-billers-went-wrong = Une erreur s'est produite ; elle figure au journal.
console-billers-not-email = « { $contact } » n'est pas une adresse e-mail
console-billers-rate-not-number = « { $raw } » n'est pas un nombre entier de requêtes par seconde (0 pour aucune)
console-billers-created = Facturier { $name } créé.
console-billers-endpoint-created = Point de terminaison { $url } créé. Son secret de signature, affiché cette seule fois : { $secret }
console-endpoint-title = Point de terminaison
console-endpoint-failing-since = en échec depuis
console-endpoint-enabled = Activé
console-endpoint-disabled = Désactivé
console-endpoint-refused-before = Refusé avant l'envoi :
console-endpoint-events = Événements :
console-endpoint-services = services :
console-endpoint-all = tous
console-endpoint-rate = limite de débit :
console-endpoint-none = aucune
console-endpoint-contact = contact
console-endpoint-key = clé publique ed25519 :
console-endpoint-previous-before = L'ancien secret signe aussi jusqu'au
console-endpoint-previous-after = .
console-endpoint-test = Envoyer un test
console-endpoint-rotate = Changer le secret
console-endpoint-disable = Désactiver
console-endpoint-replay-missed = envoyer ce qu'il a manqué
console-endpoint-enable = Activer
console-endpoint-recover-label = Renvoyer chaque envoi échoué depuis
console-endpoint-recover-hint = 2026-04-18T00:00 dans le fuseau de la page, ou RFC 3339
console-endpoint-recover = Récupérer
console-endpoint-deliveries = Envois
console-endpoint-none-yet = Aucun pour l'instant.
console-endpoint-col-update = Mise à jour
console-endpoint-col-state = État
console-endpoint-col-attempts = Tentatives
console-endpoint-webhook-id = webhook-id
console-endpoint-next-try = prochain essai
console-endpoint-send-again = Renvoyer
console-endpoint-test-sent = Événement de test envoyé : HTTP { $status } en { $ms } ms.
console-endpoint-test-failed = Événement de test non remis : { $error }
console-endpoint-rotated = Nouveau secret, affiché cette seule fois : { $secret }. L'ancien signe aussi jusqu'au { $until }.
console-endpoint-disabled-flash = Désactivé : les mises à jour attendent sa réactivation.
console-endpoint-enabled-flash = Activé ; { $n ->
        [one] { $n } mise à jour manquée mise
       *[other] { $n } mises à jour manquées mises
    } en file.
console-endpoint-replayed = Remis en file pour un nouvel envoi.
console-endpoint-no-such-delivery = envoi introuvable, ou déjà en attente
console-endpoint-recovered = { $n ->
        [one] { $n } envoi échoué remis
       *[other] { $n } envois échoués remis
    } en file.

## Quand la base de données ne répond pas

console-unavailable-title = Base de données indisponible
console-unavailable-heading = La base de données est indisponible
console-unavailable-nothing-saved = Tangazo ne peut pas utiliser sa base de données pour le moment : rien ne peut être enregistré ni modifié, et ce que vous venez d'envoyer n'a pas été enregistré.
console-unavailable-page-keeps = La page d'état publique continue d'afficher ce qu'elle affichait, et les messages déjà en file partiront dès le retour de la base.
console-unavailable-try-again = Réessayez dans une minute. Si cela dure, vérifiez le serveur de base de données et le disque sur lequel il écrit.
console-unavailable-back = Retour à la console
