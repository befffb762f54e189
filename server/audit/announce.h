#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include "common/support/result.h"
#include "server/storage/store.h"

// Chat announcements of privileged sessions and actions (REQUIREMENTS.md §6 "Chat announcement",
// R42): a Slack-compatible incoming-webhook payload queued in the alert outbox in the caller's
// transaction, delivered later by AlertWorker. Call announce() between begin() and commit(),
// next to the appendAudit() of the same event, so the message exists exactly when the event does.
//
//   Transaction transaction(store);
//   store.appendAudit({0, {}, "admin:alice", "session_created", "session:7f3c…", "{}", "admin",
//                      "10.8.0.12", "admin", requestId});
//   Audit::announce(store, {"admin_login", "Admin login", "alice from 10.8.0.12 (admin) " + at});
//   transaction.commit();
namespace Server::Audit {

struct Announcement
{
    std::string kind;    // alert_outbox.kind, e.g. "admin_login", "device_revoked", "audit_checkpoint"
    std::string title;   // bold lead-in, e.g. "Admin login"
    std::string summary; // the rest; may carry user-controlled text (names, labels, IPs)
};

// `text` with & < > as &amp; &lt; &gt; (Slack's required escaping: user text cannot become a
// mention such as <!channel> or a link), CR/LF/TAB as spaces, cut to at most `maxBytes` bytes
// without splitting an entity or a UTF-8 sequence ("…" appended when cut).
std::string escapeSlackText(std::string_view text, std::size_t maxBytes = 2900);

// {"text":"<title> <summary>","blocks":[{"type":"section","text":{"type":"mrkdwn",
//  "text":"*<title>* <summary>"}}]} with title and summary escaped (escapeSlackText).
std::string slackPayload(const Announcement &announcement);

// Queues the announcement in the alert outbox (Store::enqueueAlert) in the caller's transaction.
// Returns the outbox id. Errors: Storage.
Common::Result<std::int64_t> announce(Storage::Store &store, const Announcement &announcement);

// The announcement for an audit entry as stored: title from the event ("Device revoked", "API
// key created", …), summary "<target> by <actor> (<role>) from <ip> on <listener>, <details>,
// <ts>, audit seq <seq>" (parts that are empty are left out).
Announcement announcementFor(const Storage::AuditRecord &entry);

// appendAudit(entry) and, in the same (caller's) transaction, its announcement: `announcement`
// when given, else announcementFor(the entry as stored). Returns the seq. For stores without the
// announceEveryEntry hook (which would announce it twice). Errors: as appendAudit, Storage.
Common::Result<std::int64_t> appendAndAnnounce(Storage::Store &store, const Storage::AuditRecord &entry,
                                               const std::optional<Announcement> &announcement = std::nullopt);

// A Store::AuditHook that announces every entry appended through that store (what the command
// line installs: every admin command is a privileged action).
Storage::Store::AuditHook announceEveryEntry();

} // namespace Server::Audit
