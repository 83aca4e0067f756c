## qantar-bot: every string a reader sees that is not curated content.
## Plain text only: the bot escapes it and adds the formatting.

## Bot profile (setMyDescription ≤ 512 characters, setMyShortDescription ≤ 120).
bot-description = Bloody January (Qandy Qantar): what happened in Kazakhstan in January 2022. A short summary, a dated timeline, the original sources with links, and the petition. In English, Russian and Kazakh. Press Start.
bot-short-description = Kazakhstan, January 2022: summary, timeline, sources and the petition. English, Russian, Kazakh.

## Command menu and /help lines (≤ 256 characters each).
cmd-start = Welcome, and what I offer
cmd-help = All commands
cmd-summary = What happened, in a minute
cmd-timeline = Day by day, with sources
cmd-map = The map: where the protests spread, day by day
cmd-sources = The original documents, with links
cmd-petition = Sign the petition
cmd-lang = Language: English, Русский, Қазақша
cmd-subscribe = Get the record on its anniversaries, and announcements
cmd-unsubscribe = Stop those messages
cmd-forget = Delete what I keep about this chat
cmd-announce = Preview an announcement, then send it
cmd-broadcasts = What is being sent; cancel or resume
cmd-sendday = Send a missed day's post to everyone
cmd-rehearse = Get a day's post yourself, as readers will
cmd-pause = Stop all sending now
cmd-resume = Continue sending
cmd-stats = Usage and subscribers
cmd-reload = Reload the record and texts
cmd-purge = Delete what is stored about every chat
help-admin-title = Admin commands (only admins see these)
channel-trouble = ⚠️ I cannot post to the channel { $channel }: { $cause }. Make the bot an administrator there with the right to post messages.
broadcast-scheduled = scheduled: goes at { $at }
announce-scheduled-line = 🕘 Scheduled: Confirm does not send it now; it goes at { $at } (local time).
announce-scheduled = Announcement { $id } is scheduled for { $at }, for { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
} as of now. Nothing goes before then; /broadcasts lists it with Cancel.
rehearsal-banner = 🧪 REHEARSAL: sent to the admins and the rehearsal channel only, not to subscribers or channels.

start-title = Bloody January: Kazakhstan, 2022
start-body = In January 2022 protests over fuel prices spread across Kazakhstan. The authorities answered with a state of emergency, an internet blackout, foreign troops and an order to shoot without warning. I tell what happened, day by day, and name the source of every figure.
start-commands = What you can open:

help-title = Commands
help-privacy = Privacy: I store this chat's language choice and, if you subscribe, the subscription with its date; nothing about what you send. Chat IDs are kept only as a keyed hash and encrypted, so a copy of my database names no one. Your messages, name and username are not kept or logged.

summary-more = More on one topic:
summary-unknown-topic = There is no topic "{ $topic }". Choose one of these:
sources-label = Sources:

timeline-title = Timeline: { $count ->
    [one] { $count } event
   *[other] { $count } events
}, { $from } to { $to }
timeline-page = Page { $page } of { $pages }
timeline-open-hint = Tap a number to read that event in full, with its sources.

## Buttons (keep them short) and answers to button presses.
button-sign = ✍️ Sign the petition
button-share = 📣 Share
button-subscribe = 🔔 Get the anniversaries
button-prev = ◀ Earlier
button-next = Later ▶
button-back-timeline = ◀ Timeline
button-back-summary = ◀ Summary
button-map = 🗺 Map
button-map-timeline = 📜 Timeline for this day
button-open-bot = Open in the bot
button-open-record = 🌐 Open the record
# The Mini App's menu button beside the message field: one short word, no emoji.
menu-button-record = Record
callback-stale = This button is out of date. Send /start to begin again.
callback-lang-saved = ✓ { $language }

sources-title = Sources
sources-originals = The original documents
sources-references = Reporting and human-rights documentation
source-no-link = No confirmed link: search for the title and publisher.
source-language = { $lang ->
    [ru] in Russian
    [kk] in Kazakh
   *[en] in English
}

petition-count = { $signatures ->
    [one] { $signatures } signature
   *[other] { $signatures } signatures
} towards a goal of { $goal }: the count as recorded from { $publisher }, not a live figure.
petition-sign = Sign it here:

lang-current = This chat's language: { $language }.
lang-choose = Choose another:
lang-changed = Done: I now answer this chat in { $language }.
lang-unknown = "{ $input }" is not a language I speak. Choose one of these:
lang-save-failed = I could not save { $language } as this chat's language just now. Nothing was changed; please try again in a minute.

not-a-command = I answer commands. Send /help to see them.
flood-notice = You are sending messages faster than I can answer, so I am skipping some. Wait a few seconds and try again.
forgotten = Done: I no longer keep anything about this chat. I answer in your Telegram language until you choose one with /lang.
forget-failed = I could not reach my storage just now, so nothing was deleted. Please try /forget again in a minute.

## Admin only.
stats-title = Usage by day (UTC), no identities
stats-empty = No commands have been counted yet.
stats-languages = All days, by language:
stats-subscribers = Subscribers now, by language:
reloaded = Reloaded: content and locales generation { $generation } is now in service.
reload-rejected = Reload refused: the previous content stays in service. { $count ->
    [one] { $count } problem:
   *[other] { $count } problems:
}
unknown-command = There is no command /{ $command }. Send /help to see the ones I know.

## Dates: $month is a number 1–12, written as each language writes dates.
date-day = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }
date-month = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
} { $year }

## Subscriptions.
subscribed = Subscribed. On the anniversaries of the events this chat will get the record day by day, and the channel's announcements, in the chat's language. I keep only the subscription: this chat (as a keyed hash and an encrypted ID), its language and the date. /unsubscribe ends it; /forget deletes everything.
subscribed-already = This chat is already subscribed. /unsubscribe ends it.
unsubscribed = Unsubscribed: I deleted this chat's subscription. Its language choice stays until you send /forget.
not-subscribed = This chat is not subscribed. Send /subscribe to get the record on its anniversaries.
subscribe-failed = I could not reach my storage just now, so nothing changed. Please try again in a minute.
subscribe-admins-only = In a group, only its administrators can subscribe it or end its subscription.

## Admin only: the purge of every per-chat row.
purge-confirm = This deletes every chat's language choice and subscription. Usage counts stay. Are you sure?
button-purge-confirm = 🗑 Delete everything
button-purge-cancel = Cancel
purged = Purged: { $count ->
    [one] { $count } per-chat row
   *[other] { $count } per-chat rows
} deleted. Usage counts are kept.
purge-cancelled = Cancelled: nothing was deleted.
purge-failed = I could not reach my storage, so nothing was deleted. Please try again in a minute.

## Outreach: "on this day", sent unprompted to subscribers and channels.
## $date in date-day-month is a day of any year, e.g. "5 January".
date-day-month = { $day } { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
}
otd-years-ago = { $years ->
    [one] { $years } year ago today
   *[other] { $years } years ago today
}: { $date }
otd-nothing = The record has no event dated { $date } in a year before { $year }.
otd-open-hint = Tap a number to read that event in full, with its sources.
otd-open-hint-links = Tap a number to open that event in full in the bot, with its sources.

## Admin only: announcements, broadcasts and rehearsal.
announce-list-title = Announcements in content/announcements.yaml:
announce-list-empty = There are no announcements: content/announcements.yaml has none.
announce-list-missing = no longer in the content
announce-list-hint = Send /announce <id> to see one in all three languages. Nothing is sent before you confirm.
announce-preview-title = Announcement { $id } in each language, as readers will get it
announce-preview-note = Nothing is sent until you press "Confirm and send".
announce-preview-lang = { $language }: { $count ->
    [one] { $count } chat
   *[other] { $count } chats
}
announce-preview-buttons = Buttons:
announce-preview-total = In all: { $chats ->
    [one] { $chats } chat
   *[other] { $chats } chats
} and { $channels ->
    [one] { $channels } channel
   *[other] { $channels } channels
}. Each gets it once, in its language.
button-announce-confirm = ✅ Confirm and send
button-announce-cancel = Cancel
announce-queued = Announcement { $id } is queued for { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
}. /broadcasts shows its progress.
announce-preview-changed = ⚠️ This announcement changed after the preview you confirmed, so nothing was sent. Here it is as it stands now: read it again, then confirm.
announce-exists-running = Announcement { $id } is already being sent: { $sent } of { $total } have it so far. Nobody gets it twice, so nothing more was queued. /broadcasts shows its progress.
announce-exists-done = Announcement { $id } was sent already: { $sent } of { $total } got it. Nobody gets it twice, so nothing was queued.
announce-exists-cancelled = Announcement { $id } was cancelled after { $sent } of { $total } got it. Nobody gets it twice, so nothing was queued. To send it to the rest, press Resume under /broadcasts.
announce-queue-failed = I could not queue announcement { $id }: my storage refused the write, so nothing was queued or sent. Press Confirm again in a minute; if it fails again, the bot's log says why.
announce-unknown = There is no announcement "{ $id }". Send /announce to list them.
announce-cancelled = Cancelled: nothing was queued or sent.
broadcasts-title = Broadcasts
broadcasts-empty = No broadcasts: nothing is being sent.
broadcast-job-day = On this day, { $date }
broadcast-job-announce = Announcement { $id }
broadcast-counts = sent { $sent } · pending { $pending } · blocked { $blocked } · failed { $failed } · cancelled { $cancelled }
broadcast-rate = { $rate } a second
broadcast-eta = about { $duration } left
broadcast-eta-unknown = time left unknown
broadcast-done = finished
broadcast-cancelled-mark = cancelled
button-cancel-job = ✖ Cancel { $job }
duration-seconds = { $s } s
duration-minutes = { $m } min { $s } s
duration-hours = { $h } h { $m } min
broadcast-cancelled = Cancelled: { $job }. Nothing more of it will be sent; messages already delivered stay.
rehearse-sent = Sent to you alone: the "on this day" message for { $date }, as subscribers will get it.
rehearse-bad-date = "{ $input }" is not a date (and whom to rehearse as). Write it like this: /rehearse 2027-01-05 — or add kk, ru or en for those subscribers, or channel for a channel post.
broadcast-not-running = { $job } was not being sent (it had finished or was cancelled already), so nothing changed.
broadcast-cancel-failed = I could not cancel { $job }: my storage did not answer, so it may still be sending. Try again in a minute.
rehearse-unreachable = I could not send the rehearsal to your private chat: Telegram says I cannot write to you there. Open a private chat with me, press Start, then send /rehearse again.
rehearse-failed = Telegram did not take the rehearsal just now, so nothing reached you. Try again in a minute.
rehearse-nothing = Subscribers get nothing on { $date }: the record has no event on that calendar day in an earlier year, so no message goes out that day.
rehearse-outside-window = Subscribers get nothing on { $date }: it is outside the days "on this day" posts on (QANTAR_DAILY_WINDOW={ $window }).
broadcasts-paused = ⏸ Paused since { $since } by { $by }: nothing unprompted goes out. /resume continues where it stopped.
pause-done = ⏸ Paused since { $since } by { $by }. Nothing unprompted goes out now (announcements, the day's post, channel posts), on any replica and after a restart; what is queued waits. /resume continues where it stopped.
pause-already = ⏸ Outreach was already paused since { $since } by { $by }; nothing changed. /resume continues where it stopped.
resume-done = ▶️ Outreach continues: what was queued goes out from where it stopped. /broadcasts shows its progress.
resume-not-paused = Outreach was not paused, so nothing changed.
pause-failed = My storage did not answer, so nothing changed: outreach is as it was. Try again in a minute.
cancel-ask = Cancel { $job }? { $sent } of { $total } have it already. Those who have not received it will not get it, unless you resume it later from /broadcasts.
button-cancel-yes = ✖ Yes, cancel it
button-cancel-no = Keep sending
button-resume-job = ▶ Resume { $job }
job-resumed = Resumed: { $job } goes on to those who have not received it. Nobody gets it twice. /broadcasts shows its progress.
job-kept = Nothing changed: { $job } goes on.
sendday-preview-title = The day's post for { $date }, to every subscriber and channel, each in its language (with the map, as on the day)
sendday-queued = The day's post for { $date } is queued for { $count ->
    [one] { $count } recipient
   *[other] { $count } recipients
}. /broadcasts shows its progress.
sendday-bad-date = "{ $input }" is not a date. Write it like this: /sendday 2027-01-05
day-exists-running = { $job } is already being sent: { $sent } of { $total } have it so far. Nobody gets it twice, so nothing more was queued.
day-exists-done = { $job } was sent already: { $sent } of { $total } got it. Nobody gets it twice, so nothing was queued.
day-exists-cancelled = { $job } was cancelled after { $sent } of { $total } got it. To send it to the rest, press Resume under /broadcasts.
job-not-cancelled = { $job } was not cancelled, so there is nothing to resume.
notice-queue-failed = ⚠️ I could not queue { $job }, so nothing of it is being sent. My storage said: { $cause }. I try again every few seconds; /broadcasts shows it once it is queued.
notice-channel-failed = ⚠️ My post to the channel { $channel } failed: { $cause }. Check that I am an administrator there with the right to post messages; other channels and subscribers are not affected.
notice-long-pause = ⚠️ Telegram paused all my sending (429) for { $seconds } s. Nothing is lost: everything goes on after the pause. If it happens again, lower QANTAR_BROADCAST_RATE.
notice-day-late = ⚠️ { $job } should have started 15 minutes ago and nothing of it has gone. Check /broadcasts and /healthz; /sendday can queue a day that was missed.
notice-no-sender = ⚠️ Messages are waiting and no copy of the bot has been sending for { $minutes } min. Check that the bot runs and can reach its database and Telegram.
## The map (/map): the picture's texts, and its caption.
map-subtitle = Kazakhstan, January 2022: the places of the record up to this day
map-credit = Borders: Natural Earth
map-legend-today = events on this day
map-legend-no-event = no event yet
map-beyond = Beyond the map:
map-new-places = New on the map: { $places }
map-no-events = No event of the record on this day; the map shows the days before it.

## The web pages (`qantar-bot site`, QANTAR_WEB_LISTEN, the Mini App)
web-skip = Skip to the content
web-languages = Read in
web-sections = Sections
web-nav-summary = Summary
web-nav-timeline = Timeline
web-nav-map = Map
web-nav-sources = Sources
web-nav-petition = Petition
web-map-alt = Map of Kazakhstan on { $date }; places marked: { $places }.
web-map-alt-empty = Map of Kazakhstan on { $date }; no place of the record is marked yet.
web-map-day = Day on the map
web-map-event-day = The map on the day of this event
web-event-sources = Sources of this event
web-subscribe-done = Subscribed: the bot will send the anniversaries to your chat with it.
web-subscribe-failed = That did not work. Open the bot and send /subscribe.
web-footer = This site sets no cookies, counts no one and loads nothing from other sites.
web-not-found = There is no page here.
web-to-start = To the start page
web-choose-language = Choose a language
