//! Every colour and text attribute the TUI uses. `NO_COLOR` or the `mono`
//! theme drop colours; selection and focus still show by reverse video and
//! bold, so nothing is told by colour alone.

use ratatui::style::{Color, Modifier, Style};

/// The styles views draw with.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub header: Style,
    pub readonly: Style,
    pub banner: Style,
    pub column_title: Style,
    pub selected: Style,
    pub in_flight_marker: Style,
    pub dim: Style,
    pub border: Style,
    pub focused_field: Style,
    pub error: Style,
    pub success: Style,
    pub key: Style,
}

/// The theme name in the config is not one we know.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// Only `default` and `mono` exist.
    #[error("config.toml: theme = {0:?} is unknown; use \"default\" or \"mono\"")]
    Unknown(String),
}

impl Theme {
    /// The theme named in the settings; `no_color` (the `NO_COLOR` variable)
    /// wins over any name.
    pub fn from_settings(name: Option<&str>, no_color: bool) -> Result<Self, ThemeError> {
        let mono = match name.unwrap_or("default") {
            "default" => false,
            "mono" => true,
            other => return Err(ThemeError::Unknown(other.to_owned())),
        };
        Ok(if mono || no_color {
            Self::mono()
        } else {
            Self::colour()
        })
    }

    /// Whether `NO_COLOR` is set to a non-empty value.
    pub fn no_color_requested() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
    }

    pub fn colour() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            header: bold.fg(Color::Cyan),
            readonly: bold.fg(Color::Black).bg(Color::Yellow),
            banner: Style::new().fg(Color::Black).bg(Color::LightBlue),
            column_title: bold.add_modifier(Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            in_flight_marker: bold.fg(Color::Yellow),
            dim: Style::new().fg(Color::DarkGray),
            border: Style::new().fg(Color::Gray),
            focused_field: Style::new().add_modifier(Modifier::REVERSED),
            error: bold.fg(Color::Red),
            success: Style::new().fg(Color::Green),
            key: bold.fg(Color::Cyan),
        }
    }

    pub fn mono() -> Self {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Self {
            header: bold,
            readonly: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            banner: Style::new().add_modifier(Modifier::REVERSED),
            column_title: bold.add_modifier(Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            in_flight_marker: bold,
            dim: Style::new(),
            border: Style::new(),
            focused_field: Style::new().add_modifier(Modifier::REVERSED),
            error: bold,
            success: Style::new(),
            key: bold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_and_mono_have_no_colours() {
        let no_color = Theme::from_settings(Some("default"), true).unwrap();
        let mono = Theme::from_settings(Some("mono"), false).unwrap();
        for theme in [no_color, mono] {
            for style in [
                theme.header,
                theme.selected,
                theme.error,
                theme.banner,
                theme.key,
            ] {
                assert_eq!(style.fg, None);
                assert_eq!(style.bg, None);
            }
            assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
        }
    }

    #[test]
    fn unknown_theme_names_the_choices() {
        let error = Theme::from_settings(Some("neon"), false).unwrap_err();
        assert!(error.to_string().contains("\"default\" or \"mono\""));
    }
}
