/* mr-reply-catalog.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mr-reply-catalog.h"

#define P MR_ADVICE_PROCEED
#define C MR_ADVICE_CONTINUE
#define R MR_ADVICE_RETRY
#define F MR_ADVICE_FIX
#define G MR_ADVICE_GIVE_UP

/* Wire texts follow what Postfix says where it has a reply for the same
 * case, so a learner who moves to a real server recognises them. */
static const MrReplyInfo catalog[MR_N_REPLIES] = {
#define E(id, code, enh, text, expl, advice, rfc) [id] = { id, code, enh, text, expl, advice, rfc }
  E (MR_REPLY_SERVICE_READY, 220, NULL, "ESMTP Mailroom",
     N_("Service ready: the server greets the client and waits for EHLO or HELO"), P, "RFC 5321 4.2, 3.1"),
  E (MR_REPLY_STARTTLS_READY, 220, "2.0.0", "Ready to start TLS",
     N_("Go ahead with the TLS handshake; everything after it is encrypted and the session starts over"), P, "RFC 3207 4"),
  E (MR_REPLY_HELP, 214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP AUTH STARTTLS",
     N_("Help message for a human reader"), P, "RFC 5321 4.1.1.8"),
  E (MR_REPLY_CLOSING, 221, "2.0.0", "Bye",
     N_("The server is closing the connection as the client asked"), P, "RFC 5321 4.1.1.10"),
  E (MR_REPLY_AUTH_OK, 235, "2.7.0", "Authentication successful",
     N_("Authenticated: the server now knows who you are and may let you relay"), P, "RFC 4954 6"),
  E (MR_REPLY_OK, 250, "2.0.0", "Ok",
     N_("Requested action completed"), P, "RFC 5321 4.2.2"),
  E (MR_REPLY_HELO_OK, 250, NULL, "Hello",
     N_("Hello accepted; after EHLO the following 250 lines list the extensions the server supports"), P, "RFC 5321 4.1.1.1"),
  E (MR_REPLY_SENDER_OK, 250, "2.1.0", "Ok",
     N_("Sender (reverse-path) accepted; a new mail transaction has begun"), P, "RFC 5321 4.1.1.2"),
  E (MR_REPLY_RECIPIENT_OK, 250, "2.1.5", "Ok",
     N_("Recipient (forward-path) accepted; add more recipients or send DATA"), P, "RFC 5321 4.1.1.3"),
  E (MR_REPLY_QUEUED, 250, "2.0.0", "Ok: queued as",
     N_("The server took responsibility for the message: from now on it must deliver it or bounce it"), P, "RFC 5321 4.1.1.4, 6.1"),
  E (MR_REPLY_BDAT_OK, 250, "2.0.0", "octets received",
     N_("Chunk received; send the next BDAT chunk, or the last one"), P, "RFC 3030 2"),
  E (MR_REPLY_RESET_OK, 250, "2.0.0", "Ok",
     N_("Transaction aborted: sender, recipients and data are forgotten; the connection stays open"), P, "RFC 5321 4.1.1.5"),
  E (MR_REPLY_VRFY_OK, 250, "2.1.5", "",
     N_("The address is a real mailbox here (which is why many servers disable VRFY: it helps spammers harvest addresses)"), P, "RFC 5321 3.5.1, 7.3"),
  E (MR_REPLY_EXPN_OK, 250, "2.1.5", "",
     N_("One member of the mailing list; EXPN shows who is on it"), P, "RFC 5321 3.5.2"),
  E (MR_REPLY_CANNOT_VRFY, 252, "2.5.2", "Cannot VRFY user, but will accept message and attempt delivery",
     N_("The server will not confirm or deny the address, but it will try to deliver to it (VRFY is off for privacy)"), P, "RFC 5321 3.5.3, 7.3"),
  E (MR_REPLY_AUTH_CHALLENGE, 334, NULL, "",
     N_("The server waits for the next piece of the authentication exchange, encoded in base64"), C, "RFC 4954 4"),
  E (MR_REPLY_START_DATA, 354, NULL, "End data with <CR><LF>.<CR><LF>",
     N_("Send the message now: headers, a blank line, the body, and a line holding only a dot. (354, not 345.)"), C, "RFC 5321 4.1.1.4, 4.5.2"),
  E (MR_REPLY_SHUTDOWN, 421, "4.3.2", "Service shutting down, closing transmission channel",
     N_("The server is going away; a client keeps the message and tries again later"), R, "RFC 5321 3.8, 4.2.3"),
  E (MR_REPLY_IDLE_TIMEOUT, 421, "4.4.2", "Error: timeout exceeded",
     N_("The client said nothing for too long, so the server closes the connection"), R, "RFC 5321 4.5.3.2"),
  E (MR_REPLY_TOO_MANY_ERRORS, 421, "4.7.0", "Error: too many errors",
     N_("Too many bad commands in a row; the server suspects a broken or hostile client and hangs up"), R, "RFC 5321 4.2.3; Postfix smtpd_hard_error_limit"),
  E (MR_REPLY_TOO_MANY_CONNECTIONS, 421, "4.7.0", "Error: too many connections",
     N_("The server is at its connection limit; try again later"), R, "RFC 5321 4.2.3"),
  E (MR_REPLY_SERVICE_UNAVAILABLE, 421, "4.3.2", "Service not available, closing transmission channel",
     N_("The server refuses service for now (overloaded or in maintenance); a client retries later"), R, "RFC 5321 3.1, 4.2.3"),
  E (MR_REPLY_RATE_LIMITED, 421, "4.7.0", "Error: too many messages, slow down",
     N_("Rate limit reached: the server asks the client to slow down and come back later"), R, "RFC 5321 4.2.3"),
  E (MR_REPLY_RATE_LIMITED_RCPT, 450, "4.7.1", "Error: too many recipients from this client, try again later",
     N_("This recipient is refused for now because of a rate limit; retry later"), R, "RFC 5321 4.2.3"),
  E (MR_REPLY_GREYLISTED, 451, "4.7.1", "Greylisted, please try again later",
     N_("Greylisting: the server refuses the first attempt from an unknown sender on purpose; real servers retry, many spam tools do not"), R, "RFC 6647"),
  E (MR_REPLY_LOCAL_ERROR, 451, "4.3.0", "Error: queue file write error",
     N_("The server had a local problem (for example a disk error) and did not take the message; retry later"), R, "RFC 5321 4.2.3"),
  E (MR_REPLY_DNS_TEMPFAIL, 451, "4.4.3", "Temporary lookup failure",
     N_("A DNS look-up failed for now; the server will try again"), R, "RFC 3463 3.5"),
  E (MR_REPLY_TOO_MANY_RECIPIENTS, 452, "4.5.3", "Error: too many recipients",
     N_("Too many recipients in this transaction; send the rest in another transaction"), R, "RFC 5321 4.5.3.1.10"),
  E (MR_REPLY_MAILBOX_FULL_TEMP, 452, "4.2.2", "Mailbox full, try again later",
     N_("The recipient's mailbox is over quota for now; the server keeps trying"), R, "RFC 3463 3.3"),
  E (MR_REPLY_AUTH_TEMPFAIL, 454, "4.7.0", "Temporary authentication failure",
     N_("Authentication could not be checked right now; try again later"), R, "RFC 4954 6"),
  E (MR_REPLY_TLS_NOT_AVAILABLE, 454, "4.7.0", "TLS not available due to temporary reason",
     N_("STARTTLS cannot be done right now"), R, "RFC 3207 4"),
  E (MR_REPLY_UNKNOWN_COMMAND, 500, "5.5.2", "Error: command not recognized",
     N_("Syntax error: the server does not know this command. The connection stays open"), F, "RFC 5321 4.2.4"),
  /* Not 5.5.6: RFC 4954 registered X.5.6 for an over-long AUTH exchange
   * line only; any other over-long command line is a syntax error. */
  E (MR_REPLY_LINE_TOO_LONG, 500, "5.5.2", "Error: line too long",
     N_("A command line may be at most 512 octets including CRLF"), F, "RFC 5321 4.5.3.1.4"),
  E (MR_REPLY_SYNTAX_ERROR, 501, "5.5.2", "Syntax error in parameters or arguments",
     N_("The command is known but its arguments are wrong"), F, "RFC 5321 4.2.2"),
  E (MR_REPLY_BAD_ADDRESS, 501, "5.1.3", "Bad address syntax",
     N_("The address is not a valid mailbox: it needs angle brackets and the form local@domain"), F, "RFC 5321 4.1.2"),
  E (MR_REPLY_BAD_BASE64, 501, "5.5.2", "Cannot decode response",
     N_("The authentication data was not valid base64"), F, "RFC 4954 4"),
  E (MR_REPLY_AUTH_CANCELLED, 501, "5.7.0", "Authentication aborted",
     N_("The client sent \"*\" to cancel the authentication exchange"), F, "RFC 4954 4"),
  E (MR_REPLY_NOT_IMPLEMENTED, 502, "5.5.1", "Error: command not implemented",
     N_("The command exists in the standard but this server does not offer it"), F, "RFC 5321 4.2.4"),
  E (MR_REPLY_EXPN_DISABLED, 502, "5.5.1", "EXPN not available",
     N_("The server does not reveal mailing list members (a common privacy setting)"), F, "RFC 5321 3.5.2, 7.3"),
  E (MR_REPLY_BAD_SEQUENCE, 503, "5.5.1", "Error: bad sequence of commands",
     N_("The command came in the wrong order (for example RCPT before MAIL, or DATA before any accepted RCPT)"), F, "RFC 5321 4.1.4"),
  E (MR_REPLY_ALREADY_AUTHENTICATED, 503, "5.5.1", "Error: already authenticated",
     N_("AUTH may succeed only once per session"), F, "RFC 4954 4"),
  E (MR_REPLY_BAD_PARAMETER, 504, "5.5.4", "Command parameter not implemented",
     N_("A parameter of the command is not supported"), F, "RFC 5321 4.2.4"),
  E (MR_REPLY_UNKNOWN_MECHANISM, 504, "5.5.4", "Unrecognized authentication type",
     N_("The server does not offer this SASL mechanism; see the AUTH line of EHLO"), F, "RFC 4954 4"),
  E (MR_REPLY_AUTH_REQUIRED, 530, "5.7.0", "Authentication required",
     N_("This server (a submission server) only takes mail from authenticated users: send AUTH first"), F, "RFC 4954 6, RFC 6409 4.3"),
  E (MR_REPLY_TLS_REQUIRED, 530, "5.7.0", "Must issue a STARTTLS command first",
     N_("The server requires encryption before this command"), F, "RFC 3207 4"),
  E (MR_REPLY_AUTH_FAILED, 535, "5.7.8", "Error: authentication failed",
     N_("Wrong user name or password"), F, "RFC 4954 6"),
  E (MR_REPLY_ENCRYPTION_REQUIRED, 538, "5.7.11", "Encryption required for requested authentication mechanism",
     N_("Plaintext passwords are only accepted inside TLS: use STARTTLS first"), F, "RFC 4954 6"),
  E (MR_REPLY_UNKNOWN_USER, 550, "5.1.1", "Recipient address rejected: User unknown in local recipient table",
     N_("No such mailbox here. Permanent: the sender's server gives up and bounces the message"), G, "RFC 5321 4.2.2; RFC 3463 3.2"),
  E (MR_REPLY_RELAY_DENIED, 550, "5.7.1", "Relay access denied",
     N_("The server is not the destination for this domain and will not forward mail for you unless you authenticate"), G, "RFC 5321 3.6.2, 7.1"),
  E (MR_REPLY_SPAM_REJECTED, 550, "5.7.1", "Message rejected as spam",
     N_("The content was judged to be spam; the message is refused after DATA"), G, "RFC 3463 3.8"),
  E (MR_REPLY_NO_SUCH_LIST, 550, "5.1.1", "No such mailing list",
     N_("EXPN was asked about something that is not a mailing list here"), F, "RFC 5321 3.5.2"),
  E (MR_REPLY_DMARC_REJECTED, 550, "5.7.26", "Unauthenticated email from this domain is not accepted due to domain's DMARC policy",
     N_("The sending domain publishes DMARC p=reject and this message passed neither aligned SPF nor aligned DKIM"), G, "RFC 7489 6.6; RFC 7372 3.7"),
  E (MR_REPLY_MESSAGE_TOO_BIG, 552, "5.3.4", "Error: message file too big",
     N_("The message is larger than this server accepts (see SIZE in the EHLO reply)"), G, "RFC 1870 6; RFC 5321 4.5.3.1.10"),
  E (MR_REPLY_MAILBOX_FULL, 552, "5.2.2", "Mailbox full",
     N_("The recipient's mailbox is over quota; the sender gets a bounce"), G, "RFC 3463 3.3"),
  E (MR_REPLY_BAD_SENDER_DOMAIN, 553, "5.1.8", "Sender address rejected: Domain not found",
     N_("The sender's domain does not exist, so bounces could not be returned"), G, "RFC 3463 3.2"),
  E (MR_REPLY_NO_VALID_RECIPIENTS, 554, "5.5.1", "Error: no valid recipients",
     N_("DATA was sent but no recipient had been accepted"), F, "RFC 5321 3.3, 4.1.1.4"),
  E (MR_REPLY_TRANSACTION_FAILED, 554, "5.0.0", "Transaction failed",
     N_("The transaction failed for good"), G, "RFC 5321 4.2.2"),
  E (MR_REPLY_PARAM_NOT_RECOGNIZED, 555, "5.5.4", "Unsupported option",
     N_("MAIL FROM or RCPT TO carried a parameter the server does not know"), F, "RFC 5321 4.1.1.11"),
  E (MR_REPLY_SMTPUTF8_REQUIRED, 553, "5.6.7", "SMTPUTF8 is required for this address",
     N_("The address has non-ASCII characters, which need SMTPUTF8 on the MAIL command"), F, "RFC 6531 3.7.4"),
  E (MR_REPLY_VRFY_REFUSED, 550, "5.7.1", "Error: VRFY command rejected",
     N_("This server refuses to say whether an address exists (RFC 5321 7.3: VRFY helps address harvesting)"), F, "RFC 5321 3.5.3, 7.3"),
  E (MR_REPLY_AUTH_LINE_TOO_LONG, 500, "5.5.6", "Authentication Exchange line is too long",
     N_("A line of the AUTH exchange was longer than the server accepts"), F, "RFC 4954 4"),
#undef E
};

const MrReplyInfo *
mr_reply_catalog_get (MrReplyId id)
{
  g_return_val_if_fail (id < MR_N_REPLIES, NULL);
  g_assert (catalog[id].id == id && catalog[id].code != 0);
  return &catalog[id];
}

const MrReplyInfo *
mr_reply_catalog_get_all (guint *n_r)
{
  *n_r = MR_N_REPLIES;
  return catalog;
}

const MrReplyInfo *
mr_reply_catalog_lookup (guint       code,
                         const char *enhanced)
{
  const MrReplyInfo *by_code = NULL;

  for (guint i = 0; i < MR_N_REPLIES; i++)
    {
      if (catalog[i].code != code)
        continue;
      if (enhanced != NULL && g_strcmp0 (catalog[i].enhanced, enhanced) == 0)
        return &catalog[i];
      if (by_code == NULL)
        by_code = &catalog[i];
    }
  return by_code;
}

const char *
mr_reply_class_explain (guint reply_class)
{
  /* RFC 5321 4.2.1 */
  switch (reply_class)
    {
    case 2: return _("2yz Positive completion: the action succeeded");
    case 3: return _("3yz Positive intermediate: send more information (the data, the next AUTH step)");
    case 4: return _("4yz Transient negative: not now, try again later; the connection usually stays open");
    case 5: return _("5yz Permanent negative: do not repeat the same command unchanged; the connection usually stays open");
    default: return _("Not an SMTP reply code");
    }
}

const char *
mr_reply_advice_to_string (MrReplyAdvice advice)
{
  switch (advice)
    {
    case MR_ADVICE_PROCEED: return "proceed";
    case MR_ADVICE_CONTINUE: return "continue";
    case MR_ADVICE_RETRY: return "retry";
    case MR_ADVICE_FIX: return "fix";
    case MR_ADVICE_GIVE_UP: return "give-up";
    default: g_assert_not_reached ();
    }
}

const char *
mr_reply_explain (guint       code,
                  const char *enhanced)
{
  const MrReplyInfo *info = mr_reply_catalog_lookup (code, enhanced);

  if (info != NULL)
    return g_dgettext (GETTEXT_PACKAGE, info->explanation);
  return mr_reply_class_explain (code / 100);
}

const char *
mr_response_code_explain (MrProtocol  protocol,
                          const char *code)
{
  static const struct { MrProtocol protocol; const char *code; const char *text; } codes[] = {
    /* RFC 2449 8, RFC 3206 */
    { MR_PROTOCOL_POP3, "IN-USE", N_("Someone else holds the maildrop lock: another POP3 session is open for this account") },
    { MR_PROTOCOL_POP3, "LOGIN-DELAY", N_("You are logging in too often; wait before the next login") },
    { MR_PROTOCOL_POP3, "AUTH", N_("The credentials were wrong (not a temporary problem)") },
    { MR_PROTOCOL_POP3, "SYS/TEMP", N_("A temporary problem on the server; try again later") },
    { MR_PROTOCOL_POP3, "SYS/PERM", N_("A permanent problem on the server; retrying will not help") },
    /* RFC 3501 7.1, RFC 4315, RFC 5530 */
    { MR_PROTOCOL_IMAP, "ALERT", N_("A message the client must show to the user") },
    { MR_PROTOCOL_IMAP, "CAPABILITY", N_("The server's capabilities, sent so the client need not ask") },
    { MR_PROTOCOL_IMAP, "PERMANENTFLAGS", N_("The flags the client may change and keep") },
    { MR_PROTOCOL_IMAP, "READ-ONLY", N_("The mailbox is open read-only (EXAMINE)") },
    { MR_PROTOCOL_IMAP, "READ-WRITE", N_("The mailbox is open read-write (SELECT)") },
    { MR_PROTOCOL_IMAP, "TRYCREATE", N_("The target mailbox does not exist; the client may CREATE it and try again") },
    { MR_PROTOCOL_IMAP, "UIDNEXT", N_("The UID the next message will get") },
    { MR_PROTOCOL_IMAP, "UIDVALIDITY", N_("If this number changes, every UID the client cached is void") },
    { MR_PROTOCOL_IMAP, "UNSEEN", N_("The sequence number of the first unseen message") },
    { MR_PROTOCOL_IMAP, "APPENDUID", N_("UIDPLUS: the UIDVALIDITY and UID of the appended message") },
    { MR_PROTOCOL_IMAP, "COPYUID", N_("UIDPLUS: source and destination UIDs of copied or moved messages") },
    { MR_PROTOCOL_IMAP, "NONEXISTENT", N_("The mailbox does not exist") },
    { MR_PROTOCOL_IMAP, "ALREADYEXISTS", N_("A mailbox with that name exists already") },
    { MR_PROTOCOL_IMAP, "AUTHENTICATIONFAILED", N_("Wrong user name or password") },
  };

  for (guint i = 0; code && i < G_N_ELEMENTS (codes); i++)
    if (codes[i].protocol == protocol && g_ascii_strcasecmp (codes[i].code, code) == 0)
      return g_dgettext (GETTEXT_PACKAGE, codes[i].text);
  return NULL;
}
