/* mr-fault.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-fault"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mr-dns.h"
#include "mr-error.h"
#include "mr-fault.h"

#define SMTP (1u << MR_PROTOCOL_SMTP)
#define MAILBOXES ((1u << MR_PROTOCOL_POP3) | (1u << MR_PROTOCOL_IMAP))
#define ANY (SMTP | MAILBOXES)
#define HOST MR_FAULT_TARGET_HOST
#define ACCOUNT MR_FAULT_TARGET_ACCOUNT
#define DOMAIN MR_FAULT_TARGET_DOMAIN

/* Each fault produces the reply an RFC-following server sends; the codes
 * come from the reply catalog so they cannot drift. */
static const MrFaultInfo catalog[] = {
  { "unknown-user", SMTP, MR_FAULT_STAGE_RCPT, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_UNKNOWN_USER, 0, NULL, NULL,
    N_("The recipient's mailbox does not exist (RFC 5321 4.2.2)") },
  { "mailbox-full", SMTP, MR_FAULT_STAGE_RCPT, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_MAILBOX_FULL, 0, NULL, NULL,
    N_("The recipient's mailbox is over quota, permanently (RFC 3463 5.2.2)") },
  { "mailbox-full-temp", SMTP, MR_FAULT_STAGE_RCPT, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_MAILBOX_FULL_TEMP, 0, NULL, NULL,
    N_("The recipient's mailbox is full for now; the sender retries") },
  { "greylisting", SMTP, MR_FAULT_STAGE_RCPT, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_GREYLISTED, 0, NULL, NULL,
    N_("First attempts from an unknown sender are deferred; a retry after the delay is accepted") },
  { "relay-denied", SMTP, MR_FAULT_STAGE_RCPT, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_RELAY_DENIED, 0, NULL, NULL,
    N_("The server does not relay for this recipient's domain") },
  { "too-many-recipients", SMTP, MR_FAULT_STAGE_RCPT, HOST | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_TOO_MANY_RECIPIENTS, 0, NULL, NULL,
    N_("Only one recipient per transaction; the others are deferred (RFC 5321 4.5.3.1.10)") },
  { "rate-limited-rcpt", SMTP, MR_FAULT_STAGE_RCPT, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_RATE_LIMITED_RCPT, 0, NULL, NULL,
    N_("The sender is sending too fast; this recipient is deferred") },
  { "auth-required", SMTP, MR_FAULT_STAGE_MAIL, HOST,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_AUTH_REQUIRED, 0, NULL, NULL,
    N_("MAIL is refused until the client authenticates (RFC 4954 6)") },
  { "tls-required", SMTP, MR_FAULT_STAGE_MAIL, HOST,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_TLS_REQUIRED, 0, NULL, NULL,
    N_("MAIL is refused until the client uses STARTTLS (RFC 3207 4)") },
  { "auth-failed", SMTP, MR_FAULT_STAGE_AUTH, HOST | ACCOUNT,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_AUTH_FAILED, 0, NULL, NULL,
    N_("Every AUTH attempt fails, whatever the password (RFC 4954 6)") },
  { "message-too-big", SMTP, MR_FAULT_STAGE_DATA, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_MESSAGE_TOO_BIG, 0, NULL, NULL,
    N_("The message is refused as too big after the data (RFC 1870 6)") },
  { "spam-rejected", SMTP, MR_FAULT_STAGE_DATA, HOST | ACCOUNT | DOMAIN,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_SPAM_REJECTED, 0, NULL, NULL,
    N_("A content filter rejects the message after the data") },
  { "service-unavailable", SMTP, MR_FAULT_STAGE_CONNECT, HOST,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_SERVICE_UNAVAILABLE, 0, NULL, NULL,
    N_("The server greets with 421 and closes; the client tries later (RFC 5321 3.1)") },
  { "rate-limited", SMTP, MR_FAULT_STAGE_CONNECT, HOST,
    MR_FAULT_EFFECT_REPLY, MR_REPLY_RATE_LIMITED, 0, NULL, NULL,
    N_("Too many connections from this client; 421 at the greeting") },
  { "host-down", ANY, MR_FAULT_STAGE_CONNECT, HOST,
    MR_FAULT_EFFECT_REFUSE, MR_N_REPLIES, 0, NULL, NULL,
    N_("Nothing answers on the port: connection refused; the next MX is tried") },
  { "slow-host", ANY, MR_FAULT_STAGE_CONNECT, HOST,
    MR_FAULT_EFFECT_DELAY, MR_N_REPLIES, 0, NULL, NULL,
    N_("The host answers, but every reply takes seconds") },
  { "dns-nxdomain", 0, MR_FAULT_STAGE_DNS, DOMAIN,
    MR_FAULT_EFFECT_DNS, MR_N_REPLIES, MR_DNS_NXDOMAIN, NULL, NULL,
    N_("The recipient's domain does not exist: the message bounces") },
  { "dns-no-mx", 0, MR_FAULT_STAGE_DNS, DOMAIN,
    MR_FAULT_EFFECT_DNS, MR_N_REPLIES, MR_DNS_NO_DATA, NULL, NULL,
    N_("The domain has neither MX nor A record: the message bounces") },
  { "dns-servfail", 0, MR_FAULT_STAGE_DNS, DOMAIN,
    MR_FAULT_EFFECT_DNS, MR_N_REPLIES, MR_DNS_SERVFAIL, NULL, NULL,
    N_("The DNS look-up fails for now: the message stays queued and is retried") },
  { "login-refused", MAILBOXES, MR_FAULT_STAGE_LOGIN, HOST | ACCOUNT,
    MR_FAULT_EFFECT_RESPONSE, MR_N_REPLIES, 0,
    "-ERR [AUTH] Authentication failed",
    "NO [AUTHENTICATIONFAILED] Authentication failed",
    N_("Every login is refused, whatever the password (RFC 3206 4, RFC 5530 3)") },
  { "mailbox-locked", MAILBOXES, MR_FAULT_STAGE_MAILBOX, HOST | ACCOUNT,
    MR_FAULT_EFFECT_RESPONSE, MR_N_REPLIES, 0,
    "-ERR [IN-USE] Mailbox is locked by another session",
    "NO [INUSE] Mailbox is in use by another session",
    N_("The maildrop is in use by another session (RFC 2449 8.1.2, RFC 5530 3)") },
  { "server-busy", MAILBOXES, MR_FAULT_STAGE_CONNECT, HOST,
    MR_FAULT_EFFECT_RESPONSE, MR_N_REPLIES, 0,
    "-ERR [SYS/TEMP] Server busy, try again later",
    "* BYE [UNAVAILABLE] Server busy, try again later",
    N_("The server is overloaded and turns clients away at the greeting") },
};

const MrFaultInfo *
mr_fault_catalog_lookup (const char *name)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (catalog); i++)
    if (g_ascii_strcasecmp (catalog[i].name, name) == 0)
      return &catalog[i];

  return NULL;
}

const MrFaultInfo *
mr_fault_catalog_get_all (guint *n_r)
{
  if (n_r != NULL)
    *n_r = G_N_ELEMENTS (catalog);
  return catalog;
}

const char *
mr_fault_stage_to_string (MrFaultStage stage)
{
  switch (stage)
    {
    case MR_FAULT_STAGE_DNS:
      return "dns";
    case MR_FAULT_STAGE_CONNECT:
      return "connect";
    case MR_FAULT_STAGE_AUTH:
      return "AUTH";
    case MR_FAULT_STAGE_MAIL:
      return "MAIL";
    case MR_FAULT_STAGE_RCPT:
      return "RCPT";
    case MR_FAULT_STAGE_DATA:
      return "DATA";
    case MR_FAULT_STAGE_LOGIN:
      return "login";
    case MR_FAULT_STAGE_MAILBOX:
      return "mailbox";
    default:
      g_return_val_if_reached ("?");
    }
}

char *
mr_fault_info_describe_reply (const MrFaultInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  switch (info->effect)
    {
    case MR_FAULT_EFFECT_REPLY:
      {
        const MrReplyInfo *reply = mr_reply_catalog_get (info->reply);

        if (reply->enhanced != NULL)
          return g_strdup_printf ("%u %s", reply->code, reply->enhanced);
        return g_strdup_printf ("%u", reply->code);
      }
    case MR_FAULT_EFFECT_REFUSE:
      return g_strdup ("connection refused");
    case MR_FAULT_EFFECT_DELAY:
      return g_strdup_printf ("replies delayed %ds",
                              (int)(MR_FAULT_DEFAULT_SLOW_DELAY / G_USEC_PER_SEC));
    case MR_FAULT_EFFECT_DNS:
      return g_strdup (mr_dns_status_to_string (info->dns_status));
    case MR_FAULT_EFFECT_RESPONSE:
      return g_strdup_printf ("POP3 %s / IMAP %s", info->pop3_text, info->imap_text);
    default:
      g_return_val_if_reached (NULL);
    }
}

static char *
targets_to_string (MrFaultTargets targets)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  if (targets & MR_FAULT_TARGET_HOST)
    g_ptr_array_add (parts, (gpointer)"host");
  if (targets & MR_FAULT_TARGET_ACCOUNT)
    g_ptr_array_add (parts, (gpointer)"account");
  if (targets & MR_FAULT_TARGET_DOMAIN)
    g_ptr_array_add (parts, (gpointer)"domain");
  g_ptr_array_add (parts, NULL);

  return g_strjoinv (",", (char **)parts->pdata);
}

char *
mr_fault_catalog_format (void)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%-20s %-8s %-20s %-40s %s\n",
                          "FAULT", "AT", "TARGET", "PRODUCES", "WHAT IT MEANS");
  for (guint i = 0; i < G_N_ELEMENTS (catalog); i++)
    {
      g_autofree char *targets = targets_to_string (catalog[i].targets);
      g_autofree char *reply = mr_fault_info_describe_reply (&catalog[i]);

      if (catalog[i].effect == MR_FAULT_EFFECT_RESPONSE)
        {
          /* Two protocols: one line each keeps the table readable. */
          g_string_append_printf (out, "%-20s %-8s %-20s POP3 %-35s %s\n",
                                  catalog[i].name, mr_fault_stage_to_string (catalog[i].stage),
                                  targets, catalog[i].pop3_text, _(catalog[i].summary));
          g_string_append_printf (out, "%-20s %-8s %-20s IMAP %s\n", "", "", "",
                                  catalog[i].imap_text);
          continue;
        }
      g_string_append_printf (out, "%-20s %-8s %-20s %-40s %s\n",
                              catalog[i].name, mr_fault_stage_to_string (catalog[i].stage),
                              targets, reply, _(catalog[i].summary));
    }
  g_string_append (out, "\nUse --fault NAME[@TARGET][/once]; TARGET is a host, a domain or an address.\n");

  return g_string_free (out, FALSE);
}

void
mr_fault_catalog_print (void)
{
  g_autofree char *text = mr_fault_catalog_format ();

  g_print ("%s", text);
}

gboolean
mr_fault_parse_spec (const char  *spec,
                     char       **name_r,
                     char       **target_r,
                     gboolean    *one_shot_r,
                     GError     **error)
{
  g_autofree char *copy = NULL;
  const MrFaultInfo *info;
  gboolean one_shot = FALSE;
  char *target = NULL;
  char *at;
  gsize len;

  g_return_val_if_fail (spec != NULL, FALSE);

  copy = g_strstrip (g_strdup (spec));
  len = strlen (copy);
  if (len > 5 && g_ascii_strcasecmp (copy + len - 5, "/once") == 0)
    {
      one_shot = TRUE;
      copy[len - 5] = '\0';
    }

  if ((at = strchr (copy, '@')) != NULL)
    {
      *at = '\0';
      target = at + 1;
      if (*target == '\0')
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       _("Fault “%s”: empty target after “@”"), spec);
          return FALSE;
        }
    }

  if ((info = mr_fault_catalog_lookup (copy)) == NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                   _("Unknown fault “%s” (see --list-faults)"), copy);
      return FALSE;
    }

  if (name_r != NULL)
    *name_r = g_strdup (info->name);
  if (target_r != NULL)
    *target_r = target ? g_ascii_strdown (target, -1) : NULL;
  if (one_shot_r != NULL)
    *one_shot_r = one_shot;

  return TRUE;
}

/* MrFault */

struct _MrFault
{
  GObject            parent_instance;

  const MrFaultInfo *info;
  char              *target;
  guint              n_fired;
  guint              one_shot : 1;
};

G_DEFINE_FINAL_TYPE (MrFault, mr_fault, G_TYPE_OBJECT)

enum {
  FAULT_PROP_0,
  FAULT_PROP_NAME,
  FAULT_PROP_TARGET,
  FAULT_PROP_ONE_SHOT,
  FAULT_PROP_N_FIRED,
  FAULT_N_PROPS
};

static GParamSpec *fault_properties [FAULT_N_PROPS];

static void
mr_fault_finalize (GObject *object)
{
  MrFault *self = (MrFault *)object;

  g_clear_pointer (&self->target, g_free);

  G_OBJECT_CLASS (mr_fault_parent_class)->finalize (object);
}

static void
mr_fault_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  MrFault *self = MR_FAULT (object);

  switch (prop_id)
    {
    case FAULT_PROP_NAME:
      g_value_set_string (value, self->info->name);
      break;

    case FAULT_PROP_TARGET:
      g_value_set_string (value, self->target);
      break;

    case FAULT_PROP_ONE_SHOT:
      g_value_set_boolean (value, self->one_shot);
      break;

    case FAULT_PROP_N_FIRED:
      g_value_set_uint (value, self->n_fired);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_fault_class_init (MrFaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_fault_finalize;
  object_class->get_property = mr_fault_get_property;

  fault_properties [FAULT_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  fault_properties [FAULT_PROP_TARGET] =
    g_param_spec_string ("target", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  fault_properties [FAULT_PROP_ONE_SHOT] =
    g_param_spec_boolean ("one-shot", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  fault_properties [FAULT_PROP_N_FIRED] =
    g_param_spec_uint ("n-fired", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, FAULT_N_PROPS, fault_properties);
}

static void
mr_fault_init (MrFault *self)
{
}

const MrFaultInfo *
mr_fault_get_info (MrFault *self)
{
  g_return_val_if_fail (MR_IS_FAULT (self), NULL);
  return self->info;
}

const char *
mr_fault_get_name (MrFault *self)
{
  g_return_val_if_fail (MR_IS_FAULT (self), NULL);
  return self->info->name;
}

const char *
mr_fault_get_target (MrFault *self)
{
  g_return_val_if_fail (MR_IS_FAULT (self), NULL);
  return self->target;
}

gboolean
mr_fault_get_one_shot (MrFault *self)
{
  g_return_val_if_fail (MR_IS_FAULT (self), FALSE);
  return self->one_shot;
}

guint
mr_fault_get_n_fired (MrFault *self)
{
  g_return_val_if_fail (MR_IS_FAULT (self), 0);
  return self->n_fired;
}

char *
mr_fault_to_spec (MrFault *self)
{
  g_return_val_if_fail (MR_IS_FAULT (self), NULL);

  return g_strdup_printf ("%s%s%s%s", self->info->name,
                          self->target ? "@" : "", self->target ? self->target : "",
                          self->one_shot ? "/once" : "");
}

/* MrFaultSet */

struct _MrFaultSet
{
  GObject     parent_instance;

  MrClock    *clock;
  GPtrArray  *faults;       /* MrFault */
  GHashTable *greylist;     /* "client\nsender\nrcpt" -> first seen (gint64 *) */
  gint64      greylist_delay;
};

static void mr_fault_set_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrFaultSet, mr_fault_set, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      mr_fault_set_list_model_iface_init))

enum {
  FIRED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static GType
mr_fault_set_get_item_type (GListModel *model)
{
  return MR_TYPE_FAULT;
}

static guint
mr_fault_set_get_n_items (GListModel *model)
{
  return MR_FAULT_SET (model)->faults->len;
}

static gpointer
mr_fault_set_get_item (GListModel *model,
                       guint       position)
{
  MrFaultSet *self = MR_FAULT_SET (model);

  if (position >= self->faults->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->faults, position));
}

static void
mr_fault_set_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = mr_fault_set_get_item_type;
  iface->get_n_items = mr_fault_set_get_n_items;
  iface->get_item = mr_fault_set_get_item;
}

static void
mr_fault_set_dispose (GObject *object)
{
  MrFaultSet *self = (MrFaultSet *)object;

  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_fault_set_parent_class)->dispose (object);
}

static void
mr_fault_set_finalize (GObject *object)
{
  MrFaultSet *self = (MrFaultSet *)object;

  g_clear_pointer (&self->faults, g_ptr_array_unref);
  g_clear_pointer (&self->greylist, g_hash_table_unref);

  G_OBJECT_CLASS (mr_fault_set_parent_class)->finalize (object);
}

static void
mr_fault_set_class_init (MrFaultSetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_fault_set_dispose;
  object_class->finalize = mr_fault_set_finalize;

  /**
   * MrFaultSet::fired:
   * @fault: the #MrFault that bit
   * @where: the host (or domain) it bit on
   *
   * Emitted each time a fault changes what a server or the relay does.
   */
  signals [FIRED] =
    g_signal_new ("fired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, MR_TYPE_FAULT, G_TYPE_STRING);
}

static void
mr_fault_set_init (MrFaultSet *self)
{
  self->faults = g_ptr_array_new_with_free_func (g_object_unref);
  self->greylist = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->greylist_delay = MR_FAULT_DEFAULT_GREYLIST_DELAY;
}

MrFaultSet *
mr_fault_set_new (MrClock *clock)
{
  MrFaultSet *self = g_object_new (MR_TYPE_FAULT_SET, NULL);

  if (clock != NULL)
    self->clock = g_object_ref (clock);

  return self;
}

MrFault *
mr_fault_set_add (MrFaultSet  *self,
                  const char  *name,
                  const char  *target,
                  gboolean     one_shot,
                  GError     **error)
{
  const MrFaultInfo *info;
  MrFault *fault;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if ((info = mr_fault_catalog_lookup (name)) == NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                   _("Unknown fault “%s” (see --list-faults)"), name);
      return NULL;
    }

  fault = g_object_new (MR_TYPE_FAULT, NULL);
  fault->info = info;
  fault->target = target && *target ? g_ascii_strdown (target, -1) : NULL;
  fault->one_shot = !!one_shot;
  g_ptr_array_add (self->faults, fault);
  g_list_model_items_changed (G_LIST_MODEL (self), self->faults->len - 1, 0, 1);

  return fault;
}

MrFault *
mr_fault_set_add_spec (MrFaultSet  *self,
                       const char  *spec,
                       GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *target = NULL;
  gboolean one_shot;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), NULL);

  if (!mr_fault_parse_spec (spec, &name, &target, &one_shot, error))
    return NULL;

  return mr_fault_set_add (self, name, target, one_shot, error);
}

gboolean
mr_fault_set_remove (MrFaultSet *self,
                     MrFault    *fault)
{
  guint index;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), FALSE);
  g_return_val_if_fail (MR_IS_FAULT (fault), FALSE);

  if (!g_ptr_array_find (self->faults, fault, &index))
    return FALSE;

  g_ptr_array_remove_index (self->faults, index);
  g_list_model_items_changed (G_LIST_MODEL (self), index, 1, 0);

  return TRUE;
}

guint
mr_fault_set_remove_by_name (MrFaultSet *self,
                             const char *name,
                             const char *target)
{
  guint removed = 0;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  for (guint i = self->faults->len; i > 0; i--)
    {
      MrFault *fault = g_ptr_array_index (self->faults, i - 1);

      if (g_ascii_strcasecmp (fault->info->name, name) != 0)
        continue;
      if (target != NULL && g_ascii_strcasecmp (target, fault->target ? fault->target : "") != 0)
        continue;
      g_ptr_array_remove_index (self->faults, i - 1);
      g_list_model_items_changed (G_LIST_MODEL (self), i - 1, 1, 0);
      removed++;
    }

  return removed;
}

void
mr_fault_set_clear (MrFaultSet *self)
{
  guint n;

  g_return_if_fail (MR_IS_FAULT_SET (self));

  n = self->faults->len;
  g_ptr_array_set_size (self->faults, 0);
  g_hash_table_remove_all (self->greylist);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

MrFault *
mr_fault_set_lookup (MrFaultSet *self,
                     const char *name,
                     const char *target)
{
  g_return_val_if_fail (MR_IS_FAULT_SET (self), NULL);

  for (guint i = 0; i < self->faults->len; i++)
    {
      MrFault *fault = g_ptr_array_index (self->faults, i);

      if (g_ascii_strcasecmp (fault->info->name, name) == 0 &&
          g_ascii_strcasecmp (target ? target : "", fault->target ? fault->target : "") == 0)
        return fault;
    }

  return NULL;
}

void
mr_fault_set_set_greylist_delay (MrFaultSet *self,
                                 gint64      usec)
{
  g_return_if_fail (MR_IS_FAULT_SET (self));
  self->greylist_delay = MAX (usec, 0);
}

gint64
mr_fault_set_get_greylist_delay (MrFaultSet *self)
{
  g_return_val_if_fail (MR_IS_FAULT_SET (self), 0);
  return self->greylist_delay;
}

static gboolean
name_matches (const char *target,
              const char *name)
{
  gsize tlen, nlen;

  if (name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (target, name) == 0)
    return TRUE;

  /* A domain target covers its hosts: "recipient.example" matches
   * "mx1.recipient.example". */
  tlen = strlen (target);
  nlen = strlen (name);
  return nlen > tlen + 1 && name[nlen - tlen - 1] == '.' &&
         g_ascii_strcasecmp (name + nlen - tlen, target) == 0;
}

gboolean
mr_fault_info_bites_host (const MrFaultInfo *info,
                          const char        *target,
                          const char        *host,
                          const char        *role)
{
  gboolean submission = g_strcmp0 (role, "submission") == 0;
  gboolean smtp = submission || g_strcmp0 (role, "mx") == 0 || g_strcmp0 (role, "relay") == 0;
  gboolean mailbox = g_strcmp0 (role, "mailbox") == 0;
  const char *at;

  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  switch (info->stage)
    {
    case MR_FAULT_STAGE_DNS:
      /* The look-up fails for whoever sends on (RFC 5321 5.1), whatever
       * domain was broken. */
      return submission || g_strcmp0 (role, "relay") == 0;
    case MR_FAULT_STAGE_AUTH:
      if (!submission)
        return FALSE;
      break;
    case MR_FAULT_STAGE_MAIL:
    case MR_FAULT_STAGE_RCPT:
    case MR_FAULT_STAGE_DATA:
      if (!smtp)
        return FALSE;
      break;
    case MR_FAULT_STAGE_LOGIN:
    case MR_FAULT_STAGE_MAILBOX:
      if (!mailbox)
        return FALSE;
      break;
    case MR_FAULT_STAGE_CONNECT:
    default:
      if (!((smtp && (info->protocols == 0 || (info->protocols & SMTP))) ||
            (mailbox && (info->protocols == 0 || (info->protocols & MAILBOXES)))))
        return FALSE;
      break;
    }

  if (target == NULL)
    return TRUE;
  at = strrchr (target, '@');
  return name_matches (at != NULL ? at + 1 : target, host);
}


static gboolean
target_matches (MrFault            *fault,
                const MrFaultQuery *query)
{
  const char *target = fault->target;

  if (target == NULL)
    return TRUE;

  if (strchr (target, '@') != NULL)
    return query->address != NULL && g_ascii_strcasecmp (target, query->address) == 0;

  if (name_matches (target, query->host))
    return TRUE;
  if (query->address != NULL)
    {
      const char *at = strrchr (query->address, '@');

      if (at != NULL && g_ascii_strcasecmp (at + 1, target) == 0)
        return TRUE;
    }

  return FALSE;
}

static gint64
now (MrFaultSet *self)
{
  return self->clock ? mr_clock_now (self->clock) : g_get_real_time ();
}

/* RFC 6647 (greylisting): defer a (client, sender, recipient) triple until
 * it retries after the delay; then let it through. */
static gboolean
greylist_defers (MrFaultSet         *self,
                 const MrFaultQuery *query)
{
  g_autofree char *key = NULL;
  gint64 *first_seen;
  gint64 t = now (self);

  {
    g_autofree char *raw = g_strdup_printf ("%s\n%s\n%s", query->client ? query->client : "",
                                            query->sender ? query->sender : "",
                                            query->address ? query->address : "");
    key = g_ascii_strdown (raw, -1);
  }

  if ((first_seen = g_hash_table_lookup (self->greylist, key)) == NULL)
    {
      first_seen = g_new (gint64, 1);
      *first_seen = t;
      g_hash_table_insert (self->greylist, g_steal_pointer (&key), first_seen);
      return TRUE;
    }

  return t - *first_seen < self->greylist_delay;
}

static gboolean
fault_applies (MrFaultSet         *self,
               MrFault            *fault,
               const MrFaultQuery *query)
{
  const MrFaultInfo *info = fault->info;

  if (info->stage != query->stage)
    return FALSE;
  if (info->protocols != 0 && !(info->protocols & (1u << query->protocol)))
    return FALSE;
  if (!target_matches (fault, query))
    return FALSE;

  /* Conditions under which a real server would not say this. */
  if (info->effect == MR_FAULT_EFFECT_REPLY)
    switch (info->reply)
      {
      case MR_REPLY_TLS_REQUIRED:
        return !query->encrypted;
      case MR_REPLY_AUTH_REQUIRED:
        return !query->authenticated;
      case MR_REPLY_TOO_MANY_RECIPIENTS:
        return query->n_recipients >= 1;
      default:
        break;
      }

  return TRUE;
}

static void
fire (MrFaultSet         *self,
      MrFault            *fault,
      const MrFaultQuery *query)
{
  g_object_ref (fault);
  fault->n_fired++;
  g_object_notify_by_pspec (G_OBJECT (fault), fault_properties [FAULT_PROP_N_FIRED]);
  if (fault->one_shot)
    mr_fault_set_remove (self, fault);
  g_signal_emit (self, signals [FIRED], 0, fault, query->host);
  g_object_unref (fault);
}

#define EFFECT(e) (1u << (e))
#define ALL_EFFECTS (~0u)

/* The first fault of an effect in @effects that bites for @query. */
static MrFault *
check_effects (MrFaultSet         *self,
               const MrFaultQuery *query,
               guint               effects)
{
  for (guint i = 0; i < self->faults->len; i++)
    {
      MrFault *fault = g_ptr_array_index (self->faults, i);

      if (!(effects & EFFECT (fault->info->effect)))
        continue;
      if (!fault_applies (self, fault, query))
        continue;
      if (fault->info->effect == MR_FAULT_EFFECT_REPLY &&
          fault->info->reply == MR_REPLY_GREYLISTED &&
          !greylist_defers (self, query))
        continue;

      g_object_ref (fault);
      fire (self, fault, query);
      return fault;
    }

  return NULL;
}

MrFault *
mr_fault_set_check (MrFaultSet         *self,
                    const MrFaultQuery *query)
{
  g_return_val_if_fail (MR_IS_FAULT_SET (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  return check_effects (self, query, ALL_EFFECTS);
}

MrReplyId
mr_fault_set_check_smtp (MrFaultSet         *self,
                         const MrFaultQuery *query)
{
  g_autoptr(MrFault) fault = NULL;
  MrFaultQuery smtp;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), MR_N_REPLIES);
  g_return_val_if_fail (query != NULL, MR_N_REPLIES);

  smtp = *query;
  smtp.protocol = MR_PROTOCOL_SMTP;

  /* A backend cannot delay a reply (only wires pace), so slow-host is
   * left for the wire rather than used up here. */
  fault = check_effects (self, &smtp, EFFECT (MR_FAULT_EFFECT_REPLY) | EFFECT (MR_FAULT_EFFECT_REFUSE));
  if (fault == NULL)
    return MR_N_REPLIES;

  /* A TCP listener cannot pretend nothing listens: host-down becomes the
   * closest thing, 421 at the greeting. */
  return fault->info->effect == MR_FAULT_EFFECT_REFUSE ? MR_REPLY_SERVICE_UNAVAILABLE
                                                       : fault->info->reply;
}

const char *
mr_fault_set_check_mailbox (MrFaultSet   *self,
                            MrProtocol    protocol,
                            MrFaultStage  stage,
                            const char   *host,
                            const char   *account)
{
  MrFaultQuery query = { stage, protocol, host };
  g_autoptr(MrFault) fault = NULL;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), NULL);
  g_return_val_if_fail (protocol == MR_PROTOCOL_POP3 || protocol == MR_PROTOCOL_IMAP, NULL);

  query.address = account;
  fault = check_effects (self, &query, EFFECT (MR_FAULT_EFFECT_RESPONSE));
  if (fault == NULL)
    return NULL;

  return protocol == MR_PROTOCOL_POP3 ? fault->info->pop3_text : fault->info->imap_text;
}

gboolean
mr_fault_set_check_refused (MrFaultSet *self,
                            const char *host)
{
  MrFaultQuery query = { MR_FAULT_STAGE_CONNECT, MR_PROTOCOL_SMTP, host, };
  g_autoptr(MrFault) fault = NULL;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), FALSE);

  fault = check_effects (self, &query, EFFECT (MR_FAULT_EFFECT_REFUSE));
  return fault != NULL;
}

gint64
mr_fault_set_get_reply_delay (MrFaultSet *self,
                              const char *host)
{
  MrFaultQuery query = { MR_FAULT_STAGE_CONNECT, MR_PROTOCOL_SMTP, host, };
  g_autoptr(MrFault) fault = NULL;

  g_return_val_if_fail (MR_IS_FAULT_SET (self), 0);

  fault = check_effects (self, &query, EFFECT (MR_FAULT_EFFECT_DELAY));
  return fault != NULL ? MR_FAULT_DEFAULT_SLOW_DELAY : 0;
}
