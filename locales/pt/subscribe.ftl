# Tangazo: subscrição, confirmação, gestão e cancelamento (português).

## Páginas de resultado e erros

# Seguido de ": " e do motivo da recusa.
subscribe-bad-address = Verifique o número de telefone ou o endereço de e-mail
subscribe-try-later = Há demasiados pedidos de subscrição neste momento. Tente novamente mais tarde.
subscribe-check-email = Enviámos-lhe um e-mail. Abra o link incluído para confirmar.
subscribe-check-phone = Enviámos-lhe um SMS com um código de seis dígitos. Escreva-o aqui para confirmar.
subscribe-already = Este endereço já está subscrito. Não enviámos nada de novo.
subscribe-confirmed = A sua subscrição está confirmada. Passará a receber alertas sobre manutenções e falhas.
subscribe-link-expired = Este link expirou. Faça a subscrição novamente.
subscribe-link-bad = Este link não é válido.
# Seguido de um espaço e do número de tentativas restantes.
subscribe-wrong-code = O código está errado. Tentativas restantes:
subscribe-code-expired = Este código já não pode ser usado. Faça a subscrição novamente.
subscribe-unsubscribed = A sua subscrição foi cancelada. Não receberá mais alertas.
subscribe-unsubscribe-q = Deixar de enviar todos os alertas para este endereço?
subscribe-unknown-link = Este link já não é válido.

## E-mail de confirmação

subscribe-email-subject = Confirme a sua subscrição
subscribe-email-body = Confirme que pretende receber alertas sobre manutenções e falhas. Abra este link:
subscribe-not-you = Não fez este pedido? Parar estes e-mails
subscribe-manage = Escolher o idioma e os serviços

## Cancelamento por endereço; stop-body também vai por SMS.

subscribe-stop-subject = Deixar de receber alertas
subscribe-stop-body = Abra este link para deixar de receber os nossos alertas

## SMS de confirmação, enviado como "{nome da página} {subscribe-sms-code}"

subscribe-sms-code = código: { $code }. Introduza-o na página para receber os alertas. Expira em { $hours } h.

## Outras mensagens da inscrição

subscribe-saved = Guardado.
subscribe-unsubscribe-sent = Se este endereço recebe os nossos alertas, enviámos-lhe um link para os cancelar.

## Porque o endereço foi recusado

subscribe-address-not-email = «{ $shown }» não é um endereço de e-mail
subscribe-address-not-phone = «{ $shown }» não é um número de telefone
subscribe-address-invalid-phone = «{ $shown }» não é um número de telefone válido
subscribe-address-country-refused = não são aceites números deste país ({ $country }) (países aceites: { $allowed })
subscribe-address-country-unknown = não são aceites números deste país (países aceites: { $allowed })

# The sign-up form's error: subscribe-bad-address, then why.
subscribe-address-refused = { $label }: { $reason }
