# A consola da equipa: as palavras das suas páginas, botões e mensagens. Os nomes de estado e os
# códigos de evento (in_progress, maintenance.started) aparecem tal como são.

## A moldura de cada página

console-title = Consola Tangazo
console-nav-new-notice = Novo aviso
console-nav-services = Serviços
console-nav-subscribers = Subscritores
console-nav-billers = Faturadores
console-nav-audit = Registo de auditoria
console-nav-tokens = Tokens
console-nav-password = Palavra-passe
console-nav-public = Página pública
console-log-out = Terminar sessão

## Recusas e resultados

console-error-title = Recusado
console-error-back = Voltar à consola
console-error-csrf = O formulário expirou ou não veio desta consola (token CSRF em falta ou errado). Volte atrás, recarregue a página e tente de novo.
console-error-role = É necessária a função { $needed }; a sua é { $has }.
console-error-not-done = Não efetuado: { $message }.
console-already-done = Já efetuado: este formulário já tinha sido enviado (recarregamento, botão Voltar ou segundo clique), por isso nada foi feito nem enviado de novo. Esta página mostra a situação atual.
console-saved = Guardado.

## Início de sessão, palavra-passe

console-login-title = Iniciar sessão
console-login-heading = Acesso da equipa
console-login-email = E-mail
console-login-password = Palavra-passe
console-login-button = Entrar
console-login-expired = O formulário de acesso expirou. Tente de novo.
console-login-throttled = Demasiadas tentativas de acesso a partir do seu endereço. Aguarde 15 minutos e tente de novo.
console-login-refused = E-mail ou palavra-passe errados. Após { $n } palavras-passe erradas, a conta fica bloqueada durante { $minutes } minutos.
console-password-title = Alterar palavra-passe
console-password-current = Palavra-passe atual
console-password-new = Nova palavra-passe
console-password-new-hint = pelo menos 12 caracteres
console-password-refused = Nova palavra-passe: { $why }.
console-password-wrong = A palavra-passe atual está errada.

## Painel

console-dashboard-title = Avisos
console-dashboard-new-notice = Novo aviso
console-dashboard-col-title = Título
console-dashboard-col-kind = Tipo
console-dashboard-col-state = Estado
console-dashboard-col-window = Período
console-dashboard-col-reference = Referência
console-dashboard-overrunning = fora do prazo
console-dashboard-empty = Ainda não há avisos.

## O formulário do aviso

console-form-new-heading = Novo aviso
console-form-edit-heading = Editar rascunho { $reference }
console-form-nothing-saved = Nada foi guardado: { $n ->
        [one] { $n } campo precisa
       *[other] { $n } campos precisam
    } de atenção (assinalados abaixo).
console-form-kind = Tipo
console-form-maintenance = Manutenção programada
console-form-incident = Incidente
console-form-title = Título
console-form-required = obrigatório
console-form-optional = opcional: usa-se a língua predefinida se ficar vazio
console-form-affected = Serviços afetados
console-form-impact-on = Impacto em
console-form-starts = Início
console-form-ends = Fim
console-form-auto-start = Iniciar automaticamente no início previsto
console-form-auto-complete = Concluir automaticamente no fim previsto
console-form-still-works = O que continua a funcionar
console-form-still-works-hint = p. ex. levantamentos nos agentes
console-form-announcement = Anúncio
console-form-overrides = Textos próprios de SMS e e-mail
console-form-overrides-hint = Substitui o texto do modelo. Marcadores: {"{"}title{"}"} {"{"}window{"}"} {"{"}start{"}"} {"{"}end{"}"} {"{"}affected{"}"} {"{"}still_works{"}"} {"{"}reference{"}"} {"{"}verify_url{"}"} {"{"}page_url{"}"} {"{"}body{"}"}. Escreva {"{{"} para um {"{"} literal, {"}}"} para {"}"}. O SMS termina sempre com a referência e a ligação de verificação.
console-form-sms = SMS
console-form-email-opening = Abertura do e-mail
console-form-save-draft = Guardar rascunho
console-form-save-changes = Guardar alterações

## A pré-visualização do que um aviso envia

console-preview-title = Pré-visualizar
console-preview-press = Carregue em Pré-visualizar para ver o SMS, o e-mail e o número de segmentos em cada língua.
console-preview-fix-first = Corrija primeiro o formulário:
console-preview-heading = O que os clientes vão receber
console-preview-cannot-send = Não pode ser enviado assim:
console-preview-sms = SMS
console-preview-segments = { $n ->
        [one] { $n } segmento
       *[other] { $n } segmentos
    }
console-preview-septets = septetos
console-preview-ucs2-units = unidades UCS-2
console-preview-script = escrito num alfabeto que o GSM-7 não transporta
console-preview-forcing = caracteres que obrigam a UCS-2:
console-preview-remove = Retirá-los do SMS
console-preview-email = E-mail
console-preview-subject = Assunto:
console-preview-reference-note = O código de referência é atribuído quando o aviso é guardado; { $placeholder } ocupa o seu lugar aqui.

## A página de um aviso

console-notice-overrunning = fora do prazo
console-notice-reference = Referência
console-notice-public-page = página pública
console-notice-edit-draft = Editar rascunho
console-notice-window = Período
console-notice-affected = Afetados
console-notice-still-works = Continua a funcionar
console-notice-written-by = Escrito por
console-notice-actions = Ações
console-notice-who-is-told = Quem é avisado:
console-notice-told-at-once = a página pública, o JSON, os feeds e o calendário de imediato;
console-notice-told-sms = subscritores de SMS,
console-notice-told-email = de e-mail e
console-notice-told-endpoints = endpoint(s) de webhook de faturadores seguem os serviços afetados.
console-notice-actions-note = Cada ação põe os seus SMS e e-mails na fila na mesma transação; uma mensagem por enviar de uma atualização mais antiga é substituída pela mais recente. Cada formulário só funciona uma vez, e apenas sobre o aviso tal como esta página o mostra: depois de uma alteração, recarregue a página. Todas as ações ficam no registo de auditoria.
console-notice-four-eyes = A aprovação a quatro olhos está ativa: outro publicador tem de publicar este aviso.
console-notice-new-end = Novo fim
console-notice-new-start = Novo início
console-notice-status = Estado
console-notice-unchanged = (sem alteração)
console-notice-message = Mensagem
console-notice-required = obrigatória
console-notice-optional-standard = opcional: usa-se um texto-padrão
console-notice-i-confirm = Confirmo:
console-notice-no-actions-before = Sem ações: o aviso terminou, ou a sua função
console-notice-no-actions-after = não o pode alterar.
console-notice-changes = Alterações desde que foi escrito
console-notice-no-changes-before = Nenhuma: este é o rascunho tal como
console-notice-no-changes-after = o escreveu.
console-notice-col-when = Quando
console-notice-col-who = Quem
console-notice-col-field = Campo
console-notice-col-before = Antes
console-notice-col-after = Depois
console-notice-deliveries = Envios
console-notice-nothing-queued = Nada na fila: nenhum subscritor segue os serviços afetados, ou o aviso não está publicado.
console-notice-col-update = Atualização
console-notice-col-channel = Canal
console-notice-col-sent = Enviados
console-notice-col-pending = Pendentes
console-notice-col-failed = Falhados
console-notice-col-superseded = Substituídos
console-notice-col-delivered = Entregues
console-notice-not-delivered = não
console-notice-recent-failures = Falhas recentes
console-notice-also-json = Também em JSON:
console-notice-timeline = Cronologia
console-notice-not-published = Ainda não publicado.
console-eta-seconds = cerca de { $n } s
console-eta-minutes = cerca de { $n } min
console-eta-hours = cerca de { $hours } h

## Botões de ação, o que cada um faz, e estados das atualizações

console-action-publish = Publicar
console-action-discard = Descartar rascunho
console-action-start = Iniciar agora
console-action-extend = Prolongar
console-action-reschedule = Reagendar
console-action-update = Publicar atualização
console-action-cancel = Cancelar manutenção
console-action-complete = Concluir
console-action-resolve = Resolvido
console-does-publish = publicar este aviso como oficial; a página pública mostra-o já
console-does-discard = descartar este rascunho: nada é enviado, e a página pública nunca o mostra
console-does-tell = a página pública muda já
console-does-complete = os serviços voltaram; avisar todos
console-does-resolve = o problema está resolvido; avisar todos
console-status-in-progress = Em curso
console-status-verifying = A verificar os serviços
console-status-investigating = Em análise
console-status-identified = Causa identificada
console-status-monitoring = Corrigido, em observação
console-check-older-page = Este formulário é de uma página mais antiga; não foi enviado. Veja o aviso abaixo e tente de novo.
console-check-tick = Assinale a caixa de confirmação: isto altera o que os clientes veem.
console-check-write-update = escreva a atualização que os clientes vão ler
console-check-new-end = indique o novo fim
console-check-new-window = starts_at e ends_at: indique o novo período

## O que uma ação envia

console-reach-sms = { $count } SMS
console-reach-email = { $n ->
        [one] { $count } e-mail
       *[other] { $count } e-mails
    }
console-reach-webhook = { $n ->
        [one] { $count } webhook
       *[other] { $count } webhooks
    }
console-reach-list = { $init } e { $last }
console-reach-nothing-sent = Nada é enviado: nenhum subscritor nem faturador segue os serviços afetados.
console-reach-sends = Isto envia { $list } agora.
console-reach-sends-held-only = Isto não envia nada agora; os { $sms } aguardam o fim das horas de silêncio ({ $at }).
console-reach-sends-held = Isto envia { $list } agora; os { $sms } aguardam o fim das horas de silêncio ({ $at }).
console-reach-nothing-queued = Nada foi posto na fila: nenhum subscritor nem faturador segue os serviços afetados.
console-reach-queued = Na fila: { $list }.
console-reach-queued-held = Na fila: { $list }; os SMS saem quando terminarem as horas de silêncio ({ $at }).
console-reach-discarded = Feito: rascunho descartado. Nada foi enviado, e a página pública nunca o mostrou.
console-reach-done = Feito: { $event } (atualização n.º { $sequence }). A página pública já o mostra. { $queued }

## Serviços

console-services-title = Serviços
console-services-intro = A página mostra os serviços por esta ordem, por grupo. Um estado definido aqui aparece na página até que um aviso que afete o serviço indique pior.
console-services-col-code = Código
console-services-col-names = Nome, em cada língua
console-services-col-group = Grupo
console-services-col-position = Posição
console-services-col-status = Estado
console-services-name-of = Nome de
console-services-name-in = em
console-services-group-of = Grupo de
console-services-position-of = Posição de
console-services-status-of = Estado de
console-services-page-shows = a página mostra:
console-services-save = Guardar
console-services-whole-number = a posição tem de ser um número inteiro
console-services-saved = { $code } guardado.

## Subscritores e importação

console-subscribers-title = Subscritores
console-subscribers-import = Importar um CSV
console-subscribers-by-channel = Por canal, língua e estado
console-subscribers-col-channel = Canal
console-subscribers-col-language = Língua
console-subscribers-col-state = Estado
console-subscribers-col-count = Total
console-subscribers-empty = Ainda não há subscritores.
console-subscribers-by-service = Confirmados, por serviço seguido
console-subscribers-col-service = Serviço
console-subscribers-col-sms = SMS
console-subscribers-col-email = E-mail
console-subscribers-find = Encontrar um subscritor
console-subscribers-address-label = Número de telefone ou endereço de e-mail exato
console-subscribers-find-button = Procurar
console-subscribers-address = Endereço
console-subscribers-follows = Segue
console-subscribers-signed-up = Inscreveu-se
console-subscribers-confirmed = Confirmou
console-subscribers-all-services = todos os serviços
console-subscribers-not-yet = ainda não
console-subscribers-none = Nenhum subscritor tem o endereço { $address }.
console-import-title = Importar subscritores
console-import-intro-file = Um ficheiro CSV (UTF-8) com uma linha de cabeçalho.
console-import-intro-required = Colunas obrigatórias:
console-import-intro-address = (número de telefone ou e-mail) e
console-import-intro-yes = em todas as linhas: importe apenas quem pediu os avisos
console-import-intro-optional = Opcionais:
console-import-intro-separated = códigos separados por
console-import-intro-empty = vazio para todos
console-import-checked-first = Todo o ficheiro é verificado primeiro; uma única linha errada interrompe a importação e nada é guardado. Os endereços já subscritos ficam como estão, por isso importar um ficheiro duas vezes não altera nada.
console-import-file = Ficheiro
console-import-button = Importar
console-import-failed = O carregamento falhou: { $why }
console-import-expired = O formulário expirou (token CSRF em falta ou errado). Recarregue e tente de novo.
console-import-choose = escolha um ficheiro CSV
console-import-done = { $rows } linhas: { $new } subscritores novos, { $present } já existentes.

## Registo de auditoria

console-audit-title = Registo de auditoria
console-audit-actor = Autor
console-audit-action = Ação
console-audit-target = Alvo
console-audit-filter = Filtrar
console-audit-col-when = Quando (UTC)
console-audit-col-who = Quem
console-audit-col-before-after = Antes → depois
console-audit-empty = Nenhum resultado.

## Tokens de API

console-tokens-title = Tokens de API
console-tokens-intro-before = Tokens da API da equipa
console-tokens-intro-middle = e dos faturadores. Um token só é mostrado uma vez, quando é criado
console-tokens-intro-after = guarda-se apenas o seu hash. Revogue um token que tenha sido divulgado ou que já não se use: deixa de funcionar de imediato.
console-tokens-col-name = Nome
console-tokens-col-role = Função
console-tokens-col-id = Id
console-tokens-col-created = Criado
console-tokens-col-state = Estado
console-tokens-revoked = revogado
console-tokens-i-confirm = Confirmo:
console-tokens-token = o token
console-tokens-stops = deixa de funcionar de imediato
console-tokens-revoke = Revogar
console-tokens-empty = Ainda não há tokens.
console-tokens-revoked-flash = Token «{ $name }» revogado: já não funciona.
console-tokens-biller = faturador { $biller }
console-tokens-no-such = Nenhum token tem o id «{ $id }».
console-tokens-tick = Assinale a caixa de confirmação: um token revogado deixa de funcionar de imediato.

## Faturadores e os seus endpoints de webhook

console-billers-heading = Faturadores e webhooks
console-billers-intro = Empresas de serviços, bancos e comerciantes recebem cada atualização dos avisos que seguem como webhooks assinados (Standard Webhooks). Um faturador pode gerir os seus próprios endpoints com o seu próprio token de API.
console-billers-contact = Contacto
console-billers-id = id
console-billers-no-endpoints = Ainda não há endpoints.
console-billers-col-endpoint = Endpoint
console-billers-col-events = Eventos
console-billers-col-services = Serviços
console-billers-col-state = Estado
console-billers-all = todos
console-billers-failing = a falhar
console-billers-enabled = ativo
console-billers-disabled = desativado
console-billers-refused = recusado:
console-billers-add = Adicionar um endpoint
console-billers-url = URL
console-billers-description = Descrição
console-billers-contact-email = E-mail de contacto
console-billers-contact-hint = avisado se o endpoint for desativado
console-billers-event-types = Tipos de evento
console-billers-events-hint = separados por vírgulas; vazio para todos
console-billers-services-hint = códigos separados por vírgulas; vazio para todos
console-billers-rate = Limite de ritmo
console-billers-rate-hint = pedidos por segundo; 0 para nenhum
console-billers-ed25519 = Assinar também com ed25519 (v1a)
console-billers-add-button = Adicionar endpoint
console-billers-new-biller = Novo faturador
console-billers-name = Nome
console-billers-create = Criar faturador
console-billers-went-wrong = Ocorreu um erro; ficou registado no log.
console-billers-not-email = «{ $contact }» não é um endereço de e-mail
console-billers-rate-not-number = «{ $raw }» não é um número inteiro de pedidos por segundo (0 para nenhum)
console-billers-created = Faturador { $name } criado.
console-billers-endpoint-created = Endpoint { $url } criado. O seu segredo de assinatura, mostrado só agora: { $secret }
console-endpoint-title = Endpoint
console-endpoint-failing-since = a falhar desde
console-endpoint-enabled = Ativo
console-endpoint-disabled = Desativado
console-endpoint-refused-before = Recusado antes do envio:
console-endpoint-events = Eventos:
console-endpoint-services = serviços:
console-endpoint-all = todos
console-endpoint-rate = limite de ritmo:
console-endpoint-none = nenhum
console-endpoint-contact = contacto
console-endpoint-key = chave pública ed25519:
console-endpoint-previous-before = O segredo anterior também assina até
console-endpoint-previous-after = .
console-endpoint-test = Enviar evento de teste
console-endpoint-rotate = Renovar segredo
console-endpoint-disable = Desativar
console-endpoint-replay-missed = enviar o que perdeu
console-endpoint-enable = Ativar
console-endpoint-recover-label = Reenviar todos os envios falhados desde
console-endpoint-recover-hint = 2026-04-18T00:00 no fuso da página, ou RFC 3339
console-endpoint-recover = Recuperar
console-endpoint-deliveries = Envios
console-endpoint-none-yet = Ainda nenhum.
console-endpoint-col-update = Atualização
console-endpoint-col-state = Estado
console-endpoint-col-attempts = Tentativas
console-endpoint-webhook-id = webhook-id
console-endpoint-next-try = próxima tentativa
console-endpoint-send-again = Reenviar
console-endpoint-test-sent = Evento de teste enviado: HTTP { $status } em { $ms } ms.
console-endpoint-test-failed = Evento de teste não entregue: { $error }
console-endpoint-rotated = Novo segredo, mostrado só agora: { $secret }. O anterior também assina até { $until }.
console-endpoint-disabled-flash = Desativado: as atualizações aguardam que volte a ser ativado.
console-endpoint-enabled-flash = Ativado; { $n ->
        [one] { $n } atualização perdida posta
       *[other] { $n } atualizações perdidas postas
    } na fila.
console-endpoint-replayed = Posto na fila para reenvio.
console-endpoint-no-such-delivery = envio inexistente, ou já pendente
console-endpoint-recovered = { $n ->
        [one] { $n } envio falhado posto
       *[other] { $n } envios falhados postos
    } de novo na fila.

## Quando a base de dados não responde

console-unavailable-title = Base de dados indisponível
console-unavailable-heading = A base de dados está indisponível
console-unavailable-nothing-saved = O Tangazo não consegue usar a sua base de dados neste momento, por isso nada pode ser guardado nem alterado, e o que acabou de enviar não foi guardado.
console-unavailable-page-keeps = A página de estado pública continua a mostrar o que mostrava, e as mensagens já na fila saem quando a base de dados voltar.
console-unavailable-try-again = Tente de novo daqui a um minuto. Se persistir, verifique o servidor da base de dados e o disco onde escreve.
console-unavailable-back = Voltar à consola
