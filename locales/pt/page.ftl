# Tangazo: a página pública de estado dos serviços (português de Moçambique e Angola, norma europeia).
# "Aviso" = o que se publica na página; "alertas" = o que um subscritor recebe.
# Evitam-se, quando há alternativa natural, palavras cuja grafia mudou com o Acordo Ortográfico
# de 1990 (atualização/actualização, afetado/afectado), ainda usadas das duas formas.

## Etiquetas da página

page-services = Serviços
page-active = Em curso
page-upcoming = Manutenções programadas
page-history = Histórico recente
page-no-history = Nenhum aviso recente.
page-affected = Serviços abrangidos
page-still-works = Continuam a funcionar
page-reference = Referência
page-details = Detalhes e novidades
page-updates = Novidades
page-window = Período
page-verify-title = Verificar uma mensagem
page-verify-prompt = Recebeu um SMS ou e-mail sobre uma manutenção? Introduza o código de referência para confirmar que é oficial.
page-verify-button = Verificar
page-verify-official = é um aviso oficial
page-verify-unknown = Nenhum aviso oficial tem este código de referência. Considere a mensagem falsa.
page-fraud-warning = Nunca lhe pedimos o PIN nem que envie dinheiro para restabelecer o serviço.
page-not-found-title = Página não encontrada
page-not-found-body = Não existe nenhuma página neste endereço.
page-back = Voltar à página de estado dos serviços
page-machine-readable = Feeds e dados
page-updated = Situação em
page-overrunning = Em atraso
page-times-in = Horas indicadas em
page-nothing-planned = Nenhuma manutenção programada.
page-all-notices = Todos os avisos
page-all-active = Tudo o que está em curso
page-all-upcoming = Todas as manutenções programadas
page-all-history = Todo o histórico recente

## Páginas de subscrição

page-subscribe-title = Receba os nossos alertas por SMS ou e-mail
page-subscribe-intro = Avisamos antes de cada manutenção programada, quando começa e quando os serviços voltam a funcionar.
page-subscribe-address = Número de telefone ou endereço de e-mail
page-subscribe-language = Idioma
page-subscribe-services = Serviços a acompanhar
page-subscribe-all = Todos os serviços
page-subscribe-only = Ou apenas estes
page-subscribe-consent = Enviamos um código ou um link para confirmar. Pode cancelar a qualquer momento (responda STOP ou use o link que vem em cada e-mail).
page-subscribe-button = Subscrever

## Cancelar por endereço

page-unsubscribe-heading = Deixar de receber alertas
page-unsubscribe-intro = Escreva o número de telefone ou o endereço de e-mail que recebe os nossos alertas. Enviamos-lhe um link; abra-o para deixar de os receber.
page-unsubscribe-label = Número de telefone ou endereço de e-mail
page-unsubscribe-button = Enviar-me o link

## Página de gestão

page-manage-heading = Os seus alertas
page-manage-none-means-all = não marque nenhum para receber todos
page-manage-save = Guardar
page-manage-unsubscribe = Cancelar a subscrição

## Página de resultado

page-message-code-label = O código de seis dígitos que enviámos
page-message-code-button = Confirmar
page-message-unsubscribe-button = Cancelar a subscrição

## Estado de um serviço

status-operational = Disponível
status-under-maintenance = Em manutenção
status-degraded-performance = Lento
status-partial-outage = Parcialmente indisponível
status-major-outage = Indisponível

## Estado de um aviso

state-draft = Rascunho
state-scheduled = Programada
state-in-progress = Em curso
state-verifying = A verificar os serviços
state-completed = Concluída
state-cancelled = Cancelada
state-investigating = Em análise
state-identified = Causa identificada
state-monitoring = Corrigido, em observação
state-resolved = Resolvido

## Faixa no topo da página

banner-none = Todos os serviços estão a funcionar
banner-maintenance = Manutenção em curso
banner-minor = Alguns serviços estão lentos
banner-major = Alguns serviços estão indisponíveis
banner-critical = Os serviços estão indisponíveis
banner-late = A manutenção está atrasada

## Etiqueta de cada novidade no histórico de um aviso

event-maintenance-scheduled = Anúncio
event-maintenance-rescheduled = Novo horário
event-maintenance-reminder = Lembrete
event-maintenance-started = Início
event-maintenance-extended = Prolongamento
event-maintenance-overrunning = Atraso
event-maintenance-completed = Conclusão
event-maintenance-cancelled = Cancelamento
event-maintenance-updated = Nova informação
event-incident-created = Problema comunicado
event-incident-updated = Nova informação
event-incident-resolved = Problema resolvido
event-test-ping = Teste

## Durações (Clockface::minutes), juntas por um espaço: dias, horas, minutos.

duration-days =
    { $n ->
        [one] { $n } dia
       *[other] { $n } dias
    }
duration-hours = { $n } h
duration-minutes = { $n } min
duration-under-a-minute = menos de um minuto
# Entre as partes de uma duração ("1 dia e 2 h").
duration-separator = {" e "}

## Como terminou a manutenção face ao anunciado (Clockface::outcome).
## Aparece depois do estado ("Concluída · 30 min antes do previsto") e entre parênteses no SMS.

outcome-early = { $duration } antes do previsto
outcome-late = { $duration } depois do previsto
outcome-on-time = À hora prevista

## Clockface::ends

ends = Fim anunciado: { $announced }; fim real: { $ended }

## Clockface::overrun

overrun = Ultrapassou em { $late } a hora de fim prevista ({ $planned }). Publicaremos uma nova estimativa.

## The language's own name, for language switchers

language-name = Português
# The CLDR locale whose date and time patterns, day and month names this language uses.
cldr-locale = pt-MZ
