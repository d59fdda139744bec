//! Keys to actions, as a pure function of a key map. The defaults can be
//! overridden per action from `[keys]` in the config; the help overlay shows
//! the live map.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use super::app::Action;

/// Where a key is pressed: the same key means different things per screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyContext {
    List,
    Filter,
    Form,
    /// Confirm dialogs and yes/no questions.
    Dialog,
    /// The dialog that shows a generated password once.
    Reveal,
    /// Help and the action log.
    Overlay,
}

impl KeyContext {
    pub const ALL: [KeyContext; 6] = [
        KeyContext::List,
        KeyContext::Filter,
        KeyContext::Form,
        KeyContext::Dialog,
        KeyContext::Reveal,
        KeyContext::Overlay,
    ];
}

/// A remappable command, named as in `[keys]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Binding {
    Quit,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    Filter,
    SortNext,
    SortReverse,
    Edit,
    QuickReset,
    Reopen,
    Reload,
    Log,
    Help,
    Accept,
    NextField,
    PrevField,
    Toggle,
    GeneratePassword,
    ShowPassword,
    Save,
    Back,
    Yes,
    No,
    Copy,
    Close,
}

impl Binding {
    pub const ALL: [Binding; 28] = [
        Binding::Quit,
        Binding::Up,
        Binding::Down,
        Binding::Top,
        Binding::Bottom,
        Binding::PageUp,
        Binding::PageDown,
        Binding::Filter,
        Binding::SortNext,
        Binding::SortReverse,
        Binding::Edit,
        Binding::QuickReset,
        Binding::Reopen,
        Binding::Reload,
        Binding::Log,
        Binding::Help,
        Binding::Accept,
        Binding::NextField,
        Binding::PrevField,
        Binding::Toggle,
        Binding::GeneratePassword,
        Binding::ShowPassword,
        Binding::Save,
        Binding::Back,
        Binding::Yes,
        Binding::No,
        Binding::Copy,
        Binding::Close,
    ];

    /// The name used in `[keys]`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Quit => "quit",
            Self::Up => "up",
            Self::Down => "down",
            Self::Top => "top",
            Self::Bottom => "bottom",
            Self::PageUp => "page_up",
            Self::PageDown => "page_down",
            Self::Filter => "filter",
            Self::SortNext => "sort_next",
            Self::SortReverse => "sort_reverse",
            Self::Edit => "edit",
            Self::QuickReset => "quick_reset",
            Self::Reopen => "reopen",
            Self::Reload => "reload",
            Self::Log => "log",
            Self::Help => "help",
            Self::Accept => "accept",
            Self::NextField => "next_field",
            Self::PrevField => "prev_field",
            Self::Toggle => "toggle",
            Self::GeneratePassword => "generate_password",
            Self::ShowPassword => "show_password",
            Self::Save => "save",
            Self::Back => "back",
            Self::Yes => "yes",
            Self::No => "no",
            Self::Copy => "copy",
            Self::Close => "close",
        }
    }

    fn default_keys(self) -> &'static [&'static str] {
        match self {
            Self::Quit => &["q", "ctrl-c"],
            Self::Up => &["k", "up"],
            Self::Down => &["j", "down"],
            Self::Top => &["g", "home"],
            Self::Bottom => &["G", "end"],
            Self::PageUp => &["pgup"],
            Self::PageDown => &["pgdn"],
            Self::Filter => &["/"],
            Self::SortNext => &["s"],
            Self::SortReverse => &["S"],
            Self::Edit => &["enter", "e"],
            Self::QuickReset => &["p"],
            Self::Reopen => &["r"],
            Self::Reload => &["ctrl-r"],
            Self::Log => &["L"],
            Self::Help => &["?"],
            Self::Accept => &["enter"],
            Self::NextField => &["tab", "down"],
            Self::PrevField => &["shift-tab", "up"],
            Self::Toggle => &["space"],
            Self::GeneratePassword => &["ctrl-g"],
            Self::ShowPassword => &["ctrl-t"],
            Self::Save => &["ctrl-s"],
            Self::Back => &["esc"],
            Self::Yes => &["y"],
            Self::No => &["n", "enter"],
            Self::Copy => &["c"],
            Self::Close => &["esc", "q", "enter"],
        }
    }

    /// The screens this binding works on.
    pub fn contexts(self) -> &'static [KeyContext] {
        use KeyContext::*;
        match self {
            Self::Quit
            | Self::Up
            | Self::Down
            | Self::Top
            | Self::Bottom
            | Self::PageUp
            | Self::PageDown
            | Self::Filter
            | Self::SortNext
            | Self::SortReverse
            | Self::Edit
            | Self::QuickReset
            | Self::Reopen
            | Self::Reload => &[List],
            Self::Log | Self::Help => &[List, Overlay],
            Self::Accept => &[Filter],
            Self::NextField
            | Self::PrevField
            | Self::Toggle
            | Self::GeneratePassword
            | Self::ShowPassword
            | Self::Save => &[Form],
            Self::Back => &[Filter, Form, Dialog],
            Self::Yes | Self::No => &[Dialog],
            Self::Copy => &[Reveal],
            Self::Close => &[Reveal, Overlay],
        }
    }

    fn action(self) -> Action {
        match self {
            Self::Quit => Action::Quit,
            Self::Up => Action::MoveUp,
            Self::Down => Action::MoveDown,
            Self::Top => Action::Top,
            Self::Bottom => Action::Bottom,
            Self::PageUp => Action::PageUp,
            Self::PageDown => Action::PageDown,
            Self::Filter => Action::StartFilter,
            Self::SortNext => Action::SortNext,
            Self::SortReverse => Action::SortReverse,
            Self::Edit => Action::Edit,
            Self::QuickReset => Action::QuickReset,
            Self::Reopen => Action::Reopen,
            Self::Reload => Action::Reload,
            Self::Log => Action::ToggleLog,
            Self::Help => Action::ToggleHelp,
            Self::Accept => Action::AcceptFilter,
            Self::NextField => Action::NextField,
            Self::PrevField => Action::PrevField,
            Self::Toggle => Action::Toggle,
            Self::GeneratePassword => Action::GeneratePassword,
            Self::ShowPassword => Action::ShowPassword,
            Self::Save => Action::Save,
            Self::Back => Action::Back,
            Self::Yes => Action::Yes,
            Self::No => Action::No,
            Self::Copy => Action::Copy,
            Self::Close => Action::Close,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|binding| binding.name() == name)
    }
}

/// One key with its modifiers, normalised so a config spec and a terminal
/// event compare equal (`S` is `S`, not `shift-s`; `shift-tab` is BackTab).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeySpec {
    pub fn from_event(event: KeyEvent) -> Self {
        let mut modifiers = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match event.code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            other => other,
        };
        if code == KeyCode::BackTab {
            modifiers.remove(KeyModifiers::SHIFT);
        }
        Self { code, modifiers }
    }

    /// Parses `q`, `ctrl-c`, `alt-x`, `shift-tab`, `pgdn`, `enter`, `f5`...
    pub fn parse(spec: &str) -> Result<Self, KeyMapError> {
        let invalid = || KeyMapError::InvalidKey(spec.to_owned());
        let mut chars = spec.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            return Ok(Self {
                code: KeyCode::Char(c),
                modifiers: KeyModifiers::NONE,
            });
        }

        let lower = spec.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('-').collect();
        let key = parts
            .pop()
            .filter(|key| !key.is_empty())
            .ok_or_else(invalid)?;
        let mut modifiers = KeyModifiers::NONE;
        let mut shift = false;
        for part in parts {
            match part {
                "ctrl" | "c" => modifiers |= KeyModifiers::CONTROL,
                "alt" | "a" | "m" | "meta" => modifiers |= KeyModifiers::ALT,
                "shift" | "s" => shift = true,
                _ => return Err(invalid()),
            }
        }

        let code = match key {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if shift => KeyCode::BackTab,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pgdown" | "pagedown" => KeyCode::PageDown,
            _ if key.len() >= 2 && key.starts_with('f') => {
                let n: u8 = key[1..].parse().map_err(|_| invalid())?;
                if !(1..=12).contains(&n) {
                    return Err(invalid());
                }
                KeyCode::F(n)
            }
            _ => {
                // Single characters keep their case from the original spec.
                let original = &spec[spec.len() - key.len()..];
                let mut chars = original.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if shift && modifiers.is_empty() => {
                        KeyCode::Char(c.to_ascii_uppercase())
                    }
                    (Some(c), None) => KeyCode::Char(c.to_ascii_lowercase()),
                    _ => return Err(invalid()),
                }
            }
        };
        Ok(Self { code, modifiers })
    }

    /// A plain character without ctrl or alt: text for an input field.
    pub fn is_text(self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && self.modifiers.is_empty()
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A `[keys]` entry that cannot be used.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyMapError {
    /// The action name is not one of ours.
    #[error("config.toml [keys]: unknown action {name:?}; known actions: {known}")]
    UnknownAction { name: String, known: String },

    /// The key spec does not parse.
    #[error(
        "config.toml [keys]: invalid key {0:?}; write a character (\"q\"), a named key \
         (enter, esc, tab, space, up, pgdn, f5...) or a modifier and a key (\"ctrl-s\", \"shift-tab\")"
    )]
    InvalidKey(String),

    /// An action was given no key at all, which would make it unreachable.
    #[error("config.toml [keys]: {0} has no key; give it at least one")]
    NoKey(String),

    /// Two actions on the same screen share a key.
    #[error("config.toml [keys]: key {key} is bound to both {first} and {second}; change one")]
    Conflict {
        key: String,
        first: &'static str,
        second: &'static str,
    },
}

/// The live key map.
#[derive(Clone, Debug)]
pub struct KeyMap {
    keys: BTreeMap<Binding, Vec<KeySpec>>,
    lookup: HashMap<(KeyContext, KeySpec), Binding>,
}

impl Default for KeyMap {
    fn default() -> Self {
        Self::with_overrides(&BTreeMap::new())
            .unwrap_or_else(|error| unreachable!("the default key map is consistent: {error}"))
    }
}

impl KeyMap {
    /// The defaults with `overrides` (action name -> keys) replacing the keys
    /// of the actions they name.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, KeyMapError> {
        let mut keys = BTreeMap::new();
        for binding in Binding::ALL {
            let specs = binding
                .default_keys()
                .iter()
                .map(|spec| KeySpec::parse(spec));
            keys.insert(binding, specs.collect::<Result<Vec<_>, _>>()?);
        }

        for (name, specs) in overrides {
            let binding = Binding::from_name(name).ok_or_else(|| KeyMapError::UnknownAction {
                name: name.clone(),
                known: Binding::ALL.map(Binding::name).join(", "),
            })?;
            if specs.is_empty() {
                return Err(KeyMapError::NoKey(name.clone()));
            }
            let parsed = specs.iter().map(|spec| KeySpec::parse(spec));
            keys.insert(binding, parsed.collect::<Result<Vec<_>, _>>()?);
        }

        let mut lookup = HashMap::new();
        for (&binding, specs) in &keys {
            for &context in binding.contexts() {
                for &spec in specs {
                    if let Some(other) = lookup.insert((context, spec), binding)
                        && other != binding
                    {
                        return Err(KeyMapError::Conflict {
                            key: spec.to_string(),
                            first: other.name(),
                            second: binding.name(),
                        });
                    }
                }
            }
        }
        Ok(Self { keys, lookup })
    }

    /// The keys of one binding, for help and hints.
    pub fn keys(&self, binding: Binding) -> &[KeySpec] {
        self.keys
            .get(&binding)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The first key of a binding as text, for hints.
    pub fn first_key(&self, binding: Binding) -> String {
        self.keys(binding)
            .first()
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    /// What a key press means on a screen. `text_input` is true where typing
    /// goes into a text field: plain characters are text there, whatever the
    /// key map says, and line-editing keys come from tui-input.
    pub fn action_for(
        &self,
        context: KeyContext,
        text_input: bool,
        key: KeyEvent,
    ) -> Option<Action> {
        let spec = KeySpec::from_event(key);
        if !(text_input && spec.is_text())
            && let Some(binding) = self.lookup.get(&(context, spec))
        {
            return Some(binding.action());
        }
        if text_input {
            return tui_input::backend::crossterm::to_input_request(&Event::Key(key))
                .map(Action::Input);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tui_input::InputRequest;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn specs_parse_and_print_back() {
        for spec in [
            "q",
            "ctrl-c",
            "shift-tab",
            "pgdn",
            "enter",
            "S",
            "?",
            "space",
            "f5",
            "alt-x",
        ] {
            assert_eq!(KeySpec::parse(spec).unwrap().to_string(), spec);
        }
        assert_eq!(KeySpec::parse("Ctrl-S").unwrap().to_string(), "ctrl-s");
        assert_eq!(KeySpec::parse("shift-s").unwrap().to_string(), "S");
    }

    #[test]
    fn invalid_specs_are_named() {
        for spec in ["", "ctrl-", "hyper-x", "f13", "bogus", "ctrl-xy"] {
            let error = KeySpec::parse(spec).unwrap_err();
            assert_eq!(error, KeyMapError::InvalidKey(spec.to_owned()), "{spec}");
        }
    }

    #[test]
    fn terminal_events_match_specs() {
        let map = KeyMap::default();
        let shifted = press(KeyCode::Char('S'), KeyModifiers::SHIFT);
        let backtab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        let ctrl_c = press(KeyCode::Char('c'), KeyModifiers::CONTROL);

        assert!(matches!(
            map.action_for(KeyContext::List, false, shifted),
            Some(Action::SortReverse)
        ));
        assert!(matches!(
            map.action_for(KeyContext::Form, true, backtab),
            Some(Action::PrevField)
        ));
        assert!(matches!(
            map.action_for(KeyContext::List, false, ctrl_c),
            Some(Action::Quit)
        ));
    }

    #[test]
    fn text_fields_take_plain_characters() {
        let map = KeyMap::default();
        let space = press(KeyCode::Char(' '), KeyModifiers::NONE);
        let ctrl_u = press(KeyCode::Char('u'), KeyModifiers::CONTROL);

        assert!(matches!(
            map.action_for(KeyContext::Form, false, space),
            Some(Action::Toggle)
        ));
        assert!(matches!(
            map.action_for(KeyContext::Form, true, space),
            Some(Action::Input(InputRequest::InsertChar(' ')))
        ));
        assert!(matches!(
            map.action_for(KeyContext::Form, true, ctrl_u),
            Some(Action::Input(InputRequest::DeleteLine))
        ));
    }

    #[test]
    fn overrides_replace_keys_and_report_problems() {
        let overrides = |name: &str, keys: &[&str]| {
            BTreeMap::from([(
                name.to_owned(),
                keys.iter().map(|k| k.to_string()).collect(),
            )])
        };

        let map = KeyMap::with_overrides(&overrides("quit", &["x"])).unwrap();
        let x = press(KeyCode::Char('x'), KeyModifiers::NONE);
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert!(matches!(
            map.action_for(KeyContext::List, false, x),
            Some(Action::Quit)
        ));
        assert!(map.action_for(KeyContext::List, false, q).is_none());

        let unknown = KeyMap::with_overrides(&overrides("explode", &["x"])).unwrap_err();
        assert!(unknown.to_string().contains("unknown action \"explode\""));

        let conflict = KeyMap::with_overrides(&overrides("edit", &["q"])).unwrap_err();
        assert!(
            conflict.to_string().contains("key q is bound to both"),
            "{conflict}"
        );

        let bad = KeyMap::with_overrides(&overrides("quit", &["ctrl-"])).unwrap_err();
        assert!(bad.to_string().contains("invalid key \"ctrl-\""));
    }
}
