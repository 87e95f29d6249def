# Tangazo: mensagens enviadas em cada evento (português).
# Com acentos e cedilhas, o SMS segue em UCS-2 (67 caracteres por parte): textos curtos.
# "Fora de serviço" / "Em funcionamento" não variam com o número de serviços da lista.

## SMS (o código acrescenta "Ref. CÓDIGO link")

sms-maintenance-scheduled = Manutenção { $window }. Fora de serviço: { $affected }.{ $has_still_works ->
        [yes] { " " }A funcionar: { $still_works }.
       *[no] {""}
    }
sms-maintenance-rescheduled = Manutenção remarcada: { $window }. Fora de serviço: { $affected }.{ $has_still_works ->
        [yes] { " " }A funcionar: { $still_works }.
       *[no] {""}
    }
sms-maintenance-reminder = Lembrete: manutenção { $window }. Fora de serviço: { $affected }. Antecipe os pagamentos urgentes.
sms-maintenance-started = Em manutenção até { $end }: { $affected }.
sms-maintenance-extended = Manutenção prolongada até { $end }: { $affected }.
sms-maintenance-overrunning = Manutenção atrasada. Ainda sem serviço: { $affected }. Enviaremos nova estimativa.
sms-maintenance-completed = Manutenção concluída{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. A funcionar de novo: { $affected }. Verifique o seu saldo.
sms-maintenance-cancelled = Manutenção de { $window } cancelada. Tudo funciona normalmente.
sms-maintenance-updated = Manutenção: { $body }
sms-incident-created = Falha técnica: { $affected }. { $body }
sms-incident-updated = Nova informação: { $body }
sms-incident-resolved = Resolvido: { $affected } a funcionar de novo. { $body }
sms-test-ping = Mensagem de teste de { $page_name }.

## Assunto dos e-mails

email-subject-maintenance-scheduled = Manutenção programada: { $title } ({ $start })
email-subject-maintenance-rescheduled = Manutenção remarcada: { $title } ({ $start })
email-subject-maintenance-reminder = Lembrete: { $title }, início { $start }
email-subject-maintenance-started = Início da manutenção: { $title }
email-subject-maintenance-extended = Manutenção prolongada: { $title }
email-subject-maintenance-overrunning = Manutenção atrasada: { $title }
email-subject-maintenance-completed = Manutenção concluída: { $title }
email-subject-maintenance-cancelled = Manutenção cancelada: { $title }
email-subject-maintenance-updated = Nova informação: { $title }
email-subject-incident-created = Falha técnica: { $title }
email-subject-incident-updated = Nova informação: { $title }
email-subject-incident-resolved = Resolvido: { $title }
email-subject-test-ping = Mensagem de teste de { $page_name }

## Primeira frase dos e-mails

email-lead-maintenance-scheduled = Temos uma manutenção programada ({ $window }). Durante esse período, estarão indisponíveis os seguintes serviços: { $affected }. Recomendamos que faça os pagamentos urgentes antes do início e que tenha consigo algum dinheiro em numerário.
email-lead-maintenance-rescheduled = A manutenção programada mudou de horário. Novo período: { $window }. Serviços indisponíveis durante esse período: { $affected }.
email-lead-maintenance-reminder = Lembramos que os seguintes serviços estarão indisponíveis durante a manutenção ({ $window }): { $affected }. Recomendamos que faça os pagamentos urgentes antes do início.
email-lead-maintenance-started = A manutenção começou. Os seguintes serviços estão indisponíveis até { $end }: { $affected }.
email-lead-maintenance-extended = A manutenção está a demorar mais do que o previsto. Os seguintes serviços continuam indisponíveis até { $end }: { $affected }.
email-lead-maintenance-overrunning = A manutenção ultrapassou a hora de fim prevista. Os seguintes serviços continuam indisponíveis: { $affected }. Enviaremos uma nova estimativa logo que possível.
email-lead-maintenance-completed = A manutenção foi concluída{ $has_outcome ->
        [yes] { " " }({ $outcome })
       *[no] {""}
    }. Os seguintes serviços voltaram a funcionar: { $affected }. Verifique o seu saldo e os seus últimos movimentos.
email-lead-maintenance-cancelled = A manutenção prevista ({ $window }) foi cancelada. Os serviços funcionam normalmente.
email-lead-maintenance-updated = Há novas informações sobre a manutenção.
email-lead-incident-created = Estamos a resolver um problema nos seguintes serviços: { $affected }.
email-lead-incident-updated = Há novas informações sobre o problema nos seguintes serviços: { $affected }.
email-lead-incident-resolved = O problema foi resolvido. Os seguintes serviços voltaram a funcionar: { $affected }.
email-lead-test-ping = Esta é uma mensagem de teste de { $page_name }. Pode ignorá-la.

## Texto de uma novidade quando a equipa não escreve nenhum

default-body-maintenance-scheduled = Está prevista uma manutenção: { $window }.
default-body-maintenance-rescheduled = A manutenção mudou de horário: { $window }.
default-body-maintenance-reminder = Lembrete: manutenção { $window }.
default-body-maintenance-started = A manutenção começou.
default-body-maintenance-extended = A manutenção está a demorar mais. Novo período: { $window }.
default-body-maintenance-overrunning = A manutenção ultrapassou a hora de fim prevista. Daremos em breve uma nova estimativa.
default-body-maintenance-completed = A manutenção terminou e os serviços voltaram a funcionar.
default-body-maintenance-cancelled = A manutenção foi cancelada. Os serviços funcionam normalmente.
default-body-maintenance-updated = Temos novas informações.
default-body-incident-created = Estamos a analisar um problema.
default-body-incident-updated = Temos novas informações.
default-body-incident-resolved = O problema foi resolvido e os serviços voltaram a funcionar.
default-body-test-ping = Esta é uma mensagem de teste.

## Etiquetas do e-mail

email-when = Período
email-affected = Serviços abrangidos
email-still-works = Continuam a funcionar
email-reference = Referência
email-check-at = Confirme que é oficial em
email-details = Detalhes e novidades
email-calendar = Adicionar ao calendário
email-fraud = Nunca lhe pedimos o PIN nem que envie dinheiro para restabelecer o serviço.
email-unsubscribe = Cancelar a subscrição
# Antes do código de referência, no fim de cada SMS.
email-sms-ref = Ref.

# Between the names in a list of services ("Send money, Pay bill").
list-separator = {", "}
