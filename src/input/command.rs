//! Parses a message's text into a typed command, at the edge, before anything else runs.

use crate::content::Content;
use crate::i18n::Msg;
use crate::input::deep_link::Payload;
use crate::lang::Lang;
use crate::view::View;

/// Writes, from the one table below, the command types and every list and match over
/// them: `Command` (public commands, `Admin`, `Unknown`), `AdminCommand`, the names in
/// menu order, the menus, the parse of a name and the name of a command.
macro_rules! commands {
    (
        public {
            $(
                $(#[$doc:meta])*
                $name:literal => $variant:ident $(($arg:ident))?, $msg:ident;
            )*
        }
        admin {
            $(
                $(#[$admin_doc:meta])*
                $admin_name:literal => $admin:ident $(($admin_arg:ident))?, $admin_msg:ident,
                    menu $rank:literal;
            )*
        }
        aliases { $($alias:literal => $target:literal;)* }
    ) => {
        /// A command the bot understands, with its argument already split off.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Command {
            $($(#[$doc])* $variant $((commands!(@arg $arg)))?,)*
            /// Admin only (for anyone else, an unknown command; the handler checks).
            Admin(AdminCommand),
            /// A well-formed command name we do not have (lower-cased).
            Unknown(String),
        }

        /// The admin commands: the handler checks who asks before doing anything.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum AdminCommand {
            $($(#[$admin_doc])* $admin $((commands!(@arg $admin_arg)))?,)*
        }

        /// Every command name in menu order, each with the message that describes it in
        /// Telegram's menu (the public ones), then the admin commands (no menu line).
        const TABLE: &[(&str, Option<Msg>)] = &[
            $(($name, Some(Msg::$msg)),)*
            $(($admin_name, None),)*
        ];

        /// The admin commands with their place in an admin's own menu and `/help`.
        const ADMIN_MENU: &[(u8, &str, Msg)] = &[$(($rank, $admin_name, Msg::$admin_msg),)*];

        /// Other spellings a person may type.
        const ALIASES: &[(&str, &str)] = &[$(($alias, $target),)*];

        impl Command {
            /// The command called `name` (lower-cased, no alias), given its argument.
            fn named(name: &str, arg: Option<String>) -> Option<Command> {
                Some(match name {
                    $($name => Command::$variant $(({ let $arg = arg; $arg }))?,)*
                    $($admin_name => Command::Admin(
                        AdminCommand::$admin $(({ let $admin_arg = arg; $admin_arg }))?
                    ),)*
                    _ => return None,
                })
            }

            /// A fixed name for logs and counters; never the raw text.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Command::$variant { .. } => $name,)*
                    Command::Admin(admin) => admin.name(),
                    Command::Unknown(_) => "unknown",
                }
            }
        }

        impl AdminCommand {
            pub fn name(&self) -> &'static str {
                match self {
                    $(AdminCommand::$admin { .. } => $admin_name,)*
                }
            }
        }
    };
    (@arg $arg:ident) => { Option<String> };
}

// The one table of commands. Adding one touches this table, the locales (its menu
// line, `cmd-…`) and what it does: its view in `Command::action` below, or, for an admin
// command, `handle::admin`.
commands! {
    public {
        /// `/start`, with the deep-link payload if any.
        "start" => Start(arg), CmdStart;
        /// `/summary`, or `/summary causes` / `/summary_causes` for one topic.
        "summary" => Summary(arg), CmdSummary;
        "timeline" => Timeline, CmdTimeline;
        /// `/map`, or `/map 2022-01-05` for one day.
        "map" => Map(arg), CmdMap;
        "sources" => Sources, CmdSources;
        "petition" => Petition, CmdPetition;
        /// `/lang`, `/lang kk` or the tappable `/lang_kk`.
        "lang" => Lang(arg), CmdLang;
        /// Subscribe this chat to what the channel sends (in a group: its admins only).
        "subscribe" => Subscribe, CmdSubscribe;
        /// End this chat's subscription.
        "unsubscribe" => Unsubscribe, CmdUnsubscribe;
        /// Delete everything stored about this chat.
        "forget" => Forget, CmdForget;
        "help" => Help, CmdHelp;
    }
    admin {
        /// Usage counts.
        "stats" => Stats, CmdStats, menu 7;
        /// Reload content and locales.
        "reload" => Reload, CmdReload, menu 8;
        /// Delete every per-chat row, after a confirmation button.
        "purge" => Purge, CmdPurge, menu 9;
        /// List the announcements, or preview one (with Confirm) by id.
        "announce" => Announce(id), CmdAnnounce, menu 1;
        /// The progress of broadcasts, with Cancel.
        "broadcasts" => Broadcasts, CmdBroadcasts, menu 2;
        /// Send one day's "on this day" (`YYYY-MM-DD`) to the admin alone.
        "rehearse" => Rehearse(day), CmdRehearse, menu 4;
        /// Preview one day's post (`YYYY-MM-DD`) for everyone, with Confirm: a day missed
        /// while the bot was down.
        "sendday" => SendDay(day), CmdSendDay, menu 3;
        /// Stop all outreach sending until /resume.
        "pause" => Pause, CmdPause, menu 5;
        /// Continue outreach where /pause stopped it.
        "resume" => Resume, CmdResume, menu 6;
    }
    aliases {
        "language" => "lang";
    }
}

/// What a message's text is, from the bot's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// `addressed` is true for `/cmd@this_bot`: in a group, only then is an unknown
    /// command ours to answer.
    Command { command: Command, addressed: bool },
    /// `/cmd@other_bot`: someone else's business.
    ForAnotherBot,
    /// Not a command at all.
    Text,
}

/// The admin commands as an admin's own menu and `/help` list them, most used first,
/// with the message that describes each.
pub fn admin_menu() -> impl Iterator<Item = (&'static str, Msg)> {
    let mut menu = ADMIN_MENU.to_vec();
    menu.sort_by_key(|(rank, _, _)| *rank);
    menu.into_iter().map(|(_, name, msg)| (name, msg))
}

/// The public commands in menu order, with the message that describes each.
pub fn menu() -> impl Iterator<Item = (&'static str, Msg)> {
    TABLE
        .iter()
        .filter_map(|(name, msg)| msg.map(|msg| (*name, msg)))
}

/// Every command name, for counters that map a stored name back to a static one.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(name, _)| *name)
}

/// Telegram's own rule for a command name, applied before we look at it.
const NAME_MAX: usize = 32;

/// Parses `text`. `me` is this bot's username, to tell `/cmd@me` from `/cmd@other`.
pub fn parse(text: &str, me: Option<&str>) -> Input {
    let text = text.trim_start();
    let Some(rest) = text.strip_prefix('/') else {
        return Input::Text;
    };
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (name, addressee) = match head.split_once('@') {
        Some((name, bot)) => (name, Some(bot)),
        None => (head, None),
    };
    let well_formed = !name.is_empty()
        && name.len() <= NAME_MAX
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !well_formed {
        return Input::Text;
    }
    if let Some(bot) = addressee {
        let ours = me.is_some_and(|me| me.eq_ignore_ascii_case(bot));
        if !ours {
            return Input::ForAnotherBot;
        }
    }
    let arg = (!args.is_empty()).then(|| args.to_string());
    let name = name.to_ascii_lowercase();
    let canonical = ALIASES
        .iter()
        .find_map(|(alias, target)| (*alias == name).then_some(*target))
        .unwrap_or(&name);
    let command = match Command::named(canonical, arg) {
        Some(command) => command,
        // The tappable forms shown in lists: `/lang_kk`, `/summary_causes`.
        None => match (name.strip_prefix("lang_"), name.strip_prefix("summary_")) {
            (Some(code), _) => Command::Lang(Some(code.to_string())),
            (_, Some(topic)) => Command::Summary(Some(topic.to_string())),
            _ => Command::Unknown(name),
        },
    };
    Input::Command {
        command,
        addressed: addressee.is_some(),
    }
}

/// What a command asks the bot to do, decided without any I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Show(View),
    /// Save this language for the chat, then show `then` in it.
    SwitchLang {
        lang: Lang,
        then: View,
    },
    /// Delete what is stored about the chat, then confirm.
    Forget,
    /// Subscribe the chat, or end its subscription (`false`).
    Subscribe(bool),
    /// Admin commands: the handler checks who asks before doing anything.
    Admin(AdminCommand),
}

impl Command {
    /// `content` tells deep links to events and topics that exist from stale ones.
    pub fn action(self, content: &Content) -> Action {
        let view = match self {
            Command::Start(None) => View::Start { picker: false },
            Command::Start(Some(payload)) => return start_action(&payload, content),
            Command::Help => View::Help,
            Command::Summary(None) => View::Summary,
            Command::Summary(Some(topic)) => View::Topic(topic),
            Command::Timeline => View::Timeline { page: 0 },
            Command::Map(day) => map_view(day.and_then(|d| d.parse().ok()), content),
            Command::Sources => View::Sources,
            Command::Petition => View::Petition,
            Command::Lang(None) => View::LangMenu,
            Command::Lang(Some(arg)) => match Lang::from_user_input(&arg) {
                Some(lang) => {
                    return Action::SwitchLang {
                        lang,
                        then: View::LangChanged,
                    };
                }
                None => View::LangUnknown(arg),
            },
            Command::Forget => return Action::Forget,
            Command::Subscribe => return Action::Subscribe(true),
            Command::Unsubscribe => return Action::Subscribe(false),
            Command::Admin(admin) => return Action::Admin(admin),
            Command::Unknown(name) => View::UnknownCommand(name),
        };
        Action::Show(view)
    }
}

/// A deep link's view; anything unknown, malformed or gone greets.
fn start_action(payload: &str, content: &Content) -> Action {
    let greeting = View::Start { picker: false };
    let view = match Payload::parse(payload) {
        None => greeting,
        Some(Payload::Petition) => View::Petition,
        Some(Payload::Timeline) => View::Timeline { page: 0 },
        Some(Payload::Sources) => View::Sources,
        Some(Payload::Summary) => View::Summary,
        Some(Payload::Map(day)) => map_view(day, content),
        Some(Payload::Topic(id)) if content.topic(&id).is_some() => View::Topic(id),
        Some(Payload::Event(id)) if content.event(&id).is_some() => View::Event(id),
        Some(Payload::Topic(_) | Payload::Event(_)) => greeting,
        Some(Payload::Lang(lang)) => {
            return Action::SwitchLang {
                lang,
                then: greeting,
            };
        }
    };
    Action::Show(view)
}

/// The map on the map day of `day` (a date between map days shows the one before it),
/// or on its first day.
fn map_view(day: Option<crate::content::Date>, content: &Content) -> View {
    let days = crate::content::map_days::days(content);
    let first = days.first().copied();
    let day = match (day.filter(|d| d.day.is_some()), first) {
        (Some(day), _) => crate::content::map_days::map_day(content, day),
        (None, Some(first)) => first,
        // No map days at all (content with no places): the first event's date.
        (None, None) => content.events.first().map_or(
            crate::content::Date {
                year: 2022,
                month: 1,
                day: Some(2),
            },
            |e| e.date,
        ),
    };
    View::Map { day }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(text: &str) -> Input {
        match parse(text, Some("QantarBot")) {
            Input::Command { command, .. } => Input::Command {
                command,
                addressed: false,
            },
            other => other,
        }
    }

    fn plain(command: Command) -> Input {
        Input::Command {
            command,
            addressed: false,
        }
    }

    #[test]
    fn plain_commands_and_arguments() {
        assert_eq!(cmd("/start"), plain(Command::Start(None)));
        assert_eq!(
            cmd("/start petition"),
            plain(Command::Start(Some("petition".into())))
        );
        assert_eq!(cmd("/lang   KK  "), plain(Command::Lang(Some("KK".into()))));
        assert_eq!(cmd("/TIMELINE"), plain(Command::Timeline));
        assert_eq!(cmd("/lang_ru"), plain(Command::Lang(Some("ru".into()))));
        assert_eq!(
            cmd("/summary_causes"),
            plain(Command::Summary(Some("causes".into())))
        );
    }

    #[test]
    fn addressed_commands() {
        assert_eq!(
            parse("/help@QantarBot", Some("QantarBot")),
            Input::Command {
                command: Command::Help,
                addressed: true
            }
        );
        assert_eq!(cmd("/help@qantarbot"), plain(Command::Help));
        assert_eq!(cmd("/help@OtherBot"), Input::ForAnotherBot);
        assert_eq!(parse("/help@QantarBot", None), Input::ForAnotherBot);
    }

    #[test]
    fn chatter_and_oddities_are_text() {
        for text in ["hello", "", "/", "/ help", "a /help", "/привет", "/x-y"] {
            assert_eq!(cmd(text), Input::Text, "{text}");
        }
        assert_eq!(
            cmd("/frobnicate now"),
            plain(Command::Unknown("frobnicate".into()))
        );
    }
}
