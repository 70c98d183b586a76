//! Language-specific rendering: UI strings from the theme's and the site's
//! `i18n/<lang>.toml` with CLDR plural rules, and dates in each language's own
//! form (ICU4X's CLDR data: "23 November 2026", "23. november 2026").

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

use icu_calendar::{Date as IcuDate, Gregorian};
use icu_datetime::FixedCalendarDateTimeFormatter;
use icu_datetime::fieldsets::{YM, YMD, YMDE};
use icu_plurals::{PluralCategory, PluralRules};
use serde::Deserialize;

use super::deps::Recorder;
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, pos_of, serde_help};
use crate::model::{Date, Lang, SourcePath};

#[derive(Debug, Clone, Hash, Deserialize)]
#[serde(untagged)]
enum Message {
    Plain(String),
    Plural(BTreeMap<String, String>),
}

/// Formatters and strings of one language.
struct LangData {
    lang: Lang,
    strings: BTreeMap<String, Message>,
    plurals: Option<PluralRules>,
    long: Option<FixedCalendarDateTimeFormatter<Gregorian, YMD>>,
    short: Option<FixedCalendarDateTimeFormatter<Gregorian, YMD>>,
    month_year: Option<FixedCalendarDateTimeFormatter<Gregorian, YM>>,
    weekday: Option<FixedCalendarDateTimeFormatter<Gregorian, YMDE>>,
    decimal: Option<icu_decimal::DecimalFormatter>,
}

pub struct I18n {
    langs: Vec<LangData>,
    /// (language, key) pairs asked for and not found; reported once after render.
    missing: Mutex<BTreeSet<(Lang, String)>>,
    /// Where a missing key should go, per language.
    theme_files: Vec<SourcePath>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n").finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateStyle {
    Long,
    Short,
    MonthYear,
    /// The long date with the day of the week: "Thursday 10 December 2026".
    Weekday,
    Iso,
    Rfc3339,
}

impl DateStyle {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "long" => DateStyle::Long,
            "short" => DateStyle::Short,
            "month_year" => DateStyle::MonthYear,
            "weekday" => DateStyle::Weekday,
            "iso" => DateStyle::Iso,
            "rfc3339" => DateStyle::Rfc3339,
            _ => return None,
        })
    }
}

impl I18n {
    /// Reads the theme's and the site's string files for every language. A file
    /// that does not parse is a diagnostic; a missing file is fine (keys fall back).
    /// No strings at all: what is left where the strings were moved out.
    pub fn empty() -> Self {
        I18n {
            langs: Vec::new(),
            missing: Mutex::default(),
            theme_files: Vec::new(),
        }
    }

    pub fn load(config: &Config, theme_dir: Option<&Path>, diags: &mut Diagnostics) -> Self {
        let mut langs = Vec::new();
        let mut theme_files = Vec::new();
        for language in &config.languages {
            let mut strings = BTreeMap::new();
            let mut dirs = Vec::new();
            if let Some(t) = theme_dir {
                dirs.push(t.join("i18n"));
            }
            dirs.push(config.root.join("i18n"));
            for dir in dirs {
                let path = dir.join(format!("{}.toml", language.code));
                let source = SourcePath::new(
                    path.strip_prefix(&config.root)
                        .unwrap_or(&path)
                        .to_string_lossy(),
                );
                if theme_dir.is_some_and(|t| path.starts_with(t)) {
                    theme_files.push(source.clone());
                }
                let text = match crate::fs::read_to_string(&path) {
                    Ok(text) => text,
                    // Neither the theme nor the site need strings for a language.
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => {
                        diags.push(Diagnostic::error(
                            &source,
                            None,
                            format!("cannot read the UI strings: {e}"),
                        ));
                        continue;
                    }
                };
                match toml::from_str::<BTreeMap<String, Message>>(&text) {
                    Ok(map) => strings.extend(map),
                    Err(e) => {
                        let pos = e.span().map(|s| pos_of(&text, s.start));
                        let mut d = Diagnostic::error(
                            &source,
                            pos,
                            format!("invalid UI strings: {}", e.message().trim()),
                        );
                        if let Some(h) = serde_help(e.message()) {
                            d = d.with_help(h);
                        }
                        diags.push(d.with_help("write `key = \"text\"`, or a table of plural forms: `[key]` with `one = ...` and `other = ...`"));
                    }
                }
            }
            let locale = &language.locale;
            langs.push(LangData {
                lang: language.code.clone(),
                strings,
                plurals: PluralRules::try_new_cardinal(locale.into()).ok(),
                long: FixedCalendarDateTimeFormatter::try_new(locale.into(), YMD::long()).ok(),
                short: FixedCalendarDateTimeFormatter::try_new(locale.into(), YMD::short()).ok(),
                month_year: FixedCalendarDateTimeFormatter::try_new(locale.into(), YM::long()).ok(),
                weekday: FixedCalendarDateTimeFormatter::try_new(locale.into(), YMDE::long()).ok(),
                decimal: icu_decimal::DecimalFormatter::try_new(locale.into(), Default::default())
                    .ok(),
            });
        }
        I18n {
            langs,
            missing: Mutex::new(BTreeSet::new()),
            theme_files,
        }
    }

    /// A hash of each language's UI strings, in language order.
    pub fn fingerprints(&self) -> Vec<u64> {
        use std::hash::{Hash, Hasher};
        self.langs
            .iter()
            .map(|l| {
                let mut h = xxhash_rust::xxh3::Xxh3::new();
                l.strings.hash(&mut h);
                h.finish()
            })
            .collect()
    }

    fn data(&self, lang: &Lang) -> Option<&LangData> {
        self.langs.iter().find(|l| &l.lang == lang)
    }

    /// The UI string `key` in `lang` as written, when there is one (no plural
    /// forms, nothing recorded): for stages after render, such as search.
    pub fn get(&self, lang: &Lang, key: &str) -> Option<&str> {
        match self.data(lang)?.strings.get(key)? {
            Message::Plain(s) => Some(s),
            Message::Plural(_) => None,
        }
    }

    /// The UI string `key` in `lang`, in the plural form for `count`. A missing key
    /// is recorded (and reported as a warning) and renders as the key itself.
    /// `rec` is the recorder of the output that asks.
    pub fn translate(&self, lang: &Lang, key: &str, count: Option<i64>, rec: &Recorder) -> String {
        let Some(data) = self.data(lang) else {
            return key.to_string();
        };
        let text = match data.strings.get(key) {
            Some(Message::Plain(s)) => s.clone(),
            Some(Message::Plural(forms)) => {
                let category = match (count, &data.plurals) {
                    (Some(n), Some(rules)) => category_name(rules.category_for(n)),
                    _ => "other",
                };
                match forms.get(category).or_else(|| forms.get("other")) {
                    Some(s) => s.clone(),
                    None => {
                        self.note_missing(lang, &format!("{key}.{category}"), rec);
                        key.to_string()
                    }
                }
            }
            None => {
                self.note_missing(lang, key, rec);
                return key.to_string();
            }
        };
        match count {
            Some(n) => text.replace("{count}", &n.to_string()),
            None => text,
        }
    }

    fn note_missing(&self, lang: &Lang, key: &str, rec: &Recorder) {
        rec.missing_string(lang, key);
        if let Ok(mut m) = self.missing.lock() {
            m.insert((lang.clone(), key.to_string()));
        }
    }

    /// Notes keys that outputs rendered earlier asked for (and that are not
    /// asked for again when those outputs are reused).
    pub fn add_missing(&self, keys: impl IntoIterator<Item = (Lang, String)>) {
        if let Ok(mut m) = self.missing.lock() {
            m.extend(keys);
        }
    }

    /// Warnings for every key some template asked for and no file had.
    pub fn report_missing(&self, config: &Config, diags: &mut Diagnostics) {
        let missing = self.missing.lock().map(|m| m.clone()).unwrap_or_default();
        for (lang, key) in missing {
            let i = config
                .languages
                .iter()
                .position(|l| l.code == lang)
                .unwrap_or(0);
            let path = self
                .theme_files
                .get(i)
                .cloned()
                .unwrap_or_else(|| SourcePath::new(format!("i18n/{lang}.toml")));
            diags.push(
                Diagnostic::warning(
                    &path,
                    None,
                    format!("missing UI string `{key}` for language `{lang}`"),
                )
                .with_help(format!(
                    "add `{key} = \"...\"` to `i18n/{lang}.toml` or the theme's"
                )),
            );
        }
    }

    /// A number in `lang`'s own digits and separators, rounded to `fraction`
    /// digits after the point ("1.2" in English, "1,2" in Norwegian).
    pub fn format_number(&self, value: f64, fraction: i16, lang: &Lang) -> String {
        let fallback = || format!("{value:.*}", fraction.max(0) as usize);
        let Some(f) = self.data(lang).and_then(|d| d.decimal.as_ref()) else {
            return fallback();
        };
        let Ok(mut d) =
            fixed_decimal::Decimal::try_from_f64(value, fixed_decimal::FloatPrecision::RoundTrip)
        else {
            return fallback();
        };
        d.round(-fraction);
        f.format(&d).to_string()
    }

    /// A file size for readers: "840 kB", "1.2 MB" (decimal units, as
    /// operating systems show them), in `lang`'s number format.
    pub fn format_size(&self, bytes: u64, lang: &Lang) -> String {
        let b = bytes as f64;
        if bytes < 1000 {
            format!("{} B", self.format_number(b, 0, lang))
        } else if bytes < 1_000_000 {
            format!("{} kB", self.format_number(b / 1e3, 0, lang))
        } else {
            format!("{} MB", self.format_number(b / 1e6, 1, lang))
        }
    }

    pub fn format_date(&self, date: &Date, lang: &Lang, style: DateStyle) -> String {
        let civil = date.civil();
        let fallback = || civil.to_string();
        let Some(data) = self.data(lang) else {
            return fallback();
        };
        let icu = IcuDate::try_new_gregorian(
            i32::from(civil.year()),
            civil.month() as u8,
            civil.day() as u8,
        );
        let Ok(icu) = icu else {
            return fallback();
        };
        match style {
            DateStyle::Iso => fallback(),
            DateStyle::Rfc3339 => date.rfc3339(),
            DateStyle::Long => data
                .long
                .as_ref()
                .map_or_else(fallback, |f| f.format(&icu).to_string()),
            DateStyle::Short => data
                .short
                .as_ref()
                .map_or_else(fallback, |f| f.format(&icu).to_string()),
            DateStyle::MonthYear => data
                .month_year
                .as_ref()
                .map_or_else(fallback, |f| f.format(&icu).to_string()),
            DateStyle::Weekday => data
                .weekday
                .as_ref()
                .map_or_else(fallback, |f| f.format(&icu).to_string()),
        }
    }
}

fn category_name(c: PluralCategory) -> &'static str {
    match c {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml_text: &str) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.toml"), toml_text).unwrap();
        let mut d = Diagnostics::default();
        let c = crate::config::load_config(dir.path(), &mut d).unwrap();
        (dir, c)
    }

    #[test]
    fn dates_use_each_languages_own_form() {
        let (_dir, c) = config(
            "base_url = \"https://x.org\"\n[languages.en]\nlocale = \"en-GB\"\n[languages.nb]\n",
        );
        let i = I18n::load(&c, None, &mut Diagnostics::default());
        let d = crate::load::front_matter::parse_date("2026-11-23", &c.time_zone).unwrap();
        assert_eq!(
            i.format_date(&d, &Lang::new("en"), DateStyle::Long),
            "23 November 2026"
        );
        assert_eq!(
            i.format_date(&d, &Lang::new("nb"), DateStyle::Long),
            "23. november 2026"
        );
        assert_eq!(
            i.format_date(&d, &Lang::new("nb"), DateStyle::MonthYear),
            "november 2026"
        );
        assert_eq!(
            i.format_date(&d, &Lang::new("en"), DateStyle::Iso),
            "2026-11-23"
        );
        // Event cards name the day (issue 21).
        assert_eq!(
            i.format_date(&d, &Lang::new("en"), DateStyle::Weekday),
            "Monday, 23 November 2026"
        );
        assert_eq!(
            i.format_date(&d, &Lang::new("nb"), DateStyle::Weekday),
            "mandag 23. november 2026"
        );
    }

    #[test]
    fn plural_forms_follow_cldr_rules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("site.toml"),
            "base_url = \"https://x.org\"\n[languages.en]\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("i18n")).unwrap();
        std::fs::write(
            dir.path().join("i18n/en.toml"),
            "hello = \"Hello\"\n[minutes]\none = \"{count} minute\"\nother = \"{count} minutes\"\n",
        )
        .unwrap();
        let mut d = Diagnostics::default();
        let c = crate::config::load_config(dir.path(), &mut d).unwrap();
        let i = I18n::load(&c, None, &mut d);
        let en = Lang::new("en");
        let rec = Recorder::default();
        assert_eq!(i.translate(&en, "minutes", Some(1), &rec), "1 minute");
        assert_eq!(i.translate(&en, "minutes", Some(5), &rec), "5 minutes");
        assert_eq!(i.translate(&en, "hello", None, &rec), "Hello");
        assert_eq!(i.translate(&en, "nope", None, &rec), "nope");
        // The output that asked notes the missing key, for its record.
        assert_eq!(rec.finish().missing, vec![(en.clone(), "nope".to_string())]);
        let mut d = Diagnostics::default();
        i.report_missing(&c, &mut d);
        assert_eq!(d.warning_count(), 1);
        assert!(
            d.sorted()[0]
                .to_string()
                .contains("missing UI string `nope` for language `en`")
        );
    }

    #[test]
    fn ui_strings_that_cannot_be_read_are_a_diagnostic() {
        let (dir, c) = config("base_url = \"https://x.org\"\n[languages.en]\n[languages.nb]\n");
        // `en.toml` is there but is no file; `nb.toml` is missing, which is fine.
        std::fs::create_dir_all(dir.path().join("i18n/en.toml")).unwrap();
        let mut d = Diagnostics::default();
        I18n::load(&c, None, &mut d);
        let shown: Vec<String> = d.sorted().iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert!(
            shown[0].starts_with("i18n/en.toml: error: cannot read the UI strings: reading `"),
            "{shown:?}"
        );
    }
}
