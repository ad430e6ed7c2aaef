//! Date parsing: ISO-8601 and the numeric and month-name forms pages show, in
//! several languages, normalised to `YYYY-MM-DD`.

use std::sync::LazyLock;

use regex::Regex;

/// Earliest year taken as a publication date: the web before this is noise
/// (copyright lines, founding years, birthdays).
pub const MIN_YEAR: u32 = 1995;

/// Month names and abbreviations (en, de, fr, es, it, pt, nl, ru, pl, sv/da/no),
/// lowercase, with their month number.
const MONTHS: &[(&str, u32)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mrz", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("okt", 10),
    ("dezember", 12),
    ("dez", 12),
    // French
    ("janvier", 1),
    ("janv", 1),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("fevr", 2),
    ("mars", 3),
    ("avril", 4),
    ("avr", 4),
    ("juin", 6),
    ("juillet", 7),
    ("juil", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("déc", 12),
    // Spanish
    ("enero", 1),
    ("ene", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("abr", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("ago", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("dic", 12),
    // Italian
    ("gennaio", 1),
    ("gen", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("mag", 5),
    ("giugno", 6),
    ("giu", 6),
    ("luglio", 7),
    ("lug", 7),
    ("settembre", 9),
    ("set", 9),
    ("ottobre", 10),
    ("ott", 10),
    ("dicembre", 12),
    // Portuguese
    ("janeiro", 1),
    ("fevereiro", 2),
    ("fev", 2),
    ("março", 3),
    ("marco", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("out", 10),
    ("novembro", 11),
    ("dezembro", 12),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mrt", 3),
    ("mei", 5),
    ("augustus", 8),
    // Russian (genitive, as in dates)
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
    // Polish (genitive)
    ("stycznia", 1),
    ("lutego", 2),
    ("marca", 3),
    ("kwietnia", 4),
    ("maja", 5),
    ("czerwca", 6),
    ("lipca", 7),
    ("sierpnia", 8),
    ("września", 9),
    ("października", 10),
    ("listopada", 11),
    ("grudnia", 12),
    // Swedish, Danish, Norwegian
    ("januari", 1),
    ("februar", 2),
    ("marts", 3),
    ("augusti", 8),
    ("oktober", 10),
    ("desember", 12),
];

/// Whether `name` is a month name or abbreviation in one of the supported languages.
pub fn is_month_name(name: &str) -> bool {
    month_number(name).is_some()
}

fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    MONTHS.iter().find(|(n, _)| *n == lower).map(|(_, m)| *m)
}

/// The month-name alternation, longest names first so that `juillet` wins over `juil`.
fn month_alternation() -> String {
    let mut names: Vec<&str> = MONTHS.iter().map(|(n, _)| *n).collect();
    names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    names.dedup();
    names.join("|")
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)(?:^|[^\d])(\d{4})-(\d{1,2})-(\d{1,2})
        (?:[T\x20](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\x20?(Z|[+-]\d{2}:?\d{2})?)?",
    )
    .expect("valid regex")
});
static YMD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(\d{4})([/.])(\d{1,2})[/.](\d{1,2})(?:[^\d]|$)").expect("valid regex")
});
static DMY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d.])(\d{1,2})([./-])(\d{1,2})[./-](\d{4})(?:[^\d]|$)")
        .expect("valid regex")
});
static COMPACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$").expect("valid regex")
});
static MDY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b({})\b\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?\b,?\s*(\d{{4}})\b",
        month_alternation()
    ))
    .expect("valid regex")
});
static DMY_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+|of\s+)?({})\b\.?,?\s*(?:de\s+|del\s+)?(\d{{4}})\b",
        month_alternation()
    ))
    .expect("valid regex")
});
static CJK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").expect("valid regex")
});

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// `YYYY-MM-DD` when the parts make a real calendar day no earlier than [`MIN_YEAR`].
fn ymd(y: &str, m: &str, d: &str) -> Option<String> {
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(MIN_YEAR..=2100).contains(&y)
        || !(1..=12).contains(&m)
        || d == 0
        || d > days_in_month(y, m)
    {
        return None;
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// One date found in a string: the day, the full timestamp if there was a time of
/// day, and the byte offset where the date starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub date: String,
    pub datetime: Option<String>,
    pub start: usize,
}

fn iso(s: &str) -> Option<Found> {
    for c in ISO.captures_iter(s) {
        let Some(date) = ymd(&c[1], &c[2], &c[3]) else {
            continue;
        };
        let start = c.get(1).map_or(0, |g| g.start());
        let datetime = c.get(4).map(|h| {
            let mut t = format!(
                "{date}T{:02}:{}:{}",
                h.as_str().parse::<u32>().unwrap_or(0),
                &c[5],
                c.get(6).map_or("00", |g| g.as_str())
            );
            if let Some(f) = c.get(7) {
                t.push_str(f.as_str());
            }
            if let Some(z) = c.get(8) {
                let z = z.as_str();
                if z.len() == 5 {
                    // +0100 -> +01:00, the ISO-8601 extended form.
                    t.push_str(&z[..3]);
                    t.push(':');
                    t.push_str(&z[3..]);
                } else {
                    t.push_str(z);
                }
            }
            t
        });
        return Some(Found {
            date,
            datetime,
            start,
        });
    }
    None
}

/// The first date in `s`, in any supported form, with where it starts.
///
/// Numeric day-month order: `dd.mm.yyyy` and `dd-mm-yyyy` are day first; with
/// slashes a first number above 12 means day first, else month first (US style).
pub fn find_date(s: &str) -> Option<Found> {
    if s.len() > 400 {
        // Dates live in short strings; long ones are prose where numbers mislead.
        let mut cut = 400;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        return find_date(&s[..cut]);
    }
    // Every supported form has a four-digit year: most strings fail this cheap test.
    if !s
        .as_bytes()
        .windows(4)
        .any(|w| w.iter().all(u8::is_ascii_digit))
    {
        return None;
    }
    let t = s.trim();
    if let Some(c) = COMPACT.captures(t) {
        let date = ymd(&c[1], &c[2], &c[3])?;
        let datetime = c.get(4).map(|h| {
            format!(
                "{date}T{}:{}:{}",
                h.as_str(),
                &c[5],
                c.get(6).map_or("00", |g| g.as_str())
            )
        });
        return Some(Found {
            date,
            datetime,
            start: 0,
        });
    }
    let mut best: Option<Found> = None;
    let mut consider = |f: Option<Found>| {
        if let Some(f) = f {
            if best.as_ref().is_none_or(|b| f.start < b.start) {
                best = Some(f);
            }
        }
    };
    consider(iso(s));
    consider(YMD.captures_iter(s).find_map(|c| {
        Some(Found {
            date: ymd(&c[1], &c[3], &c[4])?,
            datetime: None,
            start: c.get(1)?.start(),
        })
    }));
    consider(DMY.captures_iter(s).find_map(|c| {
        let a: u32 = c[1].parse().ok()?;
        let day_first = &c[2] != "/" || a > 12;
        let date = if day_first {
            ymd(&c[4], &c[3], &c[1]).or_else(|| ymd(&c[4], &c[1], &c[3]))
        } else {
            ymd(&c[4], &c[1], &c[3]).or_else(|| ymd(&c[4], &c[3], &c[1]))
        }?;
        Some(Found {
            date,
            datetime: None,
            start: c.get(1)?.start(),
        })
    }));
    consider(MDY_NAME.captures_iter(s).find_map(|c| {
        Some(Found {
            date: ymd(&c[3], &month_number(&c[1])?.to_string(), &c[2])?,
            datetime: None,
            start: c.get(1)?.start(),
        })
    }));
    consider(DMY_NAME.captures_iter(s).find_map(|c| {
        Some(Found {
            date: ymd(&c[3], &month_number(&c[2])?.to_string(), &c[1])?,
            datetime: None,
            start: c.get(1)?.start(),
        })
    }));
    consider(CJK.captures_iter(s).find_map(|c| {
        Some(Found {
            date: ymd(&c[1], &c[2], &c[3])?,
            datetime: None,
            start: c.get(1)?.start(),
        })
    }));
    best
}

/// Parse a date written in any supported form (ISO-8601, `January 4, 2024`,
/// `4. Januar 2024`, `04.01.2024`, `2024/01/04`, `Jan 4th, 2024`, ...).
///
/// Returns `YYYY-MM-DD` and, when the string had a time of day, the full
/// ISO-8601 timestamp. The first date in the string wins; years before
/// [`MIN_YEAR`] are refused.
pub fn parse_date(s: &str) -> Option<(String, Option<String>)> {
    find_date(s).map(|f| (f.date, f.datetime))
}

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/((?:19|20)\d{2})(?:/(\d{1,2})/(\d{1,2})(?:/|$)|-(\d{2})-(\d{2})(?:[/\-_.]|$)|(\d{2})(\d{2})(?:/|$))")
        .expect("valid regex")
});

/// A date written in a URL path: `/2024/01/04/`, `/2024-01-04-slug` or `/20240104/`.
pub fn date_from_url(url: &str) -> Option<String> {
    let decoded;
    let url = if url.contains("%2F") || url.contains("%2f") {
        decoded = url.replace("%2F", "/").replace("%2f", "/");
        decoded.as_str()
    } else {
        url
    };
    let path = url.split(['?', '#']).next().unwrap_or(url);
    URL_DATE.captures_iter(path).find_map(|c| {
        let y = c.get(1)?.as_str();
        if let (Some(m), Some(d)) = (c.get(2), c.get(3)) {
            return ymd(y, m.as_str(), d.as_str());
        }
        if let (Some(m), Some(d)) = (c.get(4), c.get(5)) {
            return ymd(y, m.as_str(), d.as_str());
        }
        ymd(y, c.get(6)?.as_str(), c.get(7)?.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        parse_date(s).map(|(d, _)| d)
    }

    #[test]
    fn iso_forms_keep_the_timestamp() {
        assert_eq!(
            parse_date("2024-01-04T10:30:00+01:00"),
            Some((
                "2024-01-04".into(),
                Some("2024-01-04T10:30:00+01:00".into())
            ))
        );
        assert_eq!(
            parse_date("2024-01-04 10:30:00 +0100"),
            Some((
                "2024-01-04".into(),
                Some("2024-01-04T10:30:00+01:00".into())
            ))
        );
        assert_eq!(parse_date("2024-01-04"), Some(("2024-01-04".into(), None)));
        assert_eq!(d("20240104"), Some("2024-01-04".into()));
        assert_eq!(d("2024-02-30"), None);
    }

    #[test]
    fn month_names_in_several_languages() {
        assert_eq!(d("January 4, 2024"), Some("2024-01-04".into()));
        assert_eq!(d("Jan 4th, 2024"), Some("2024-01-04".into()));
        assert_eq!(
            d("Posted on Sept. 14, 2023 by Jane"),
            Some("2023-09-14".into())
        );
        assert_eq!(d("4 January 2024"), Some("2024-01-04".into()));
        assert_eq!(d("4. Januar 2024"), Some("2024-01-04".into()));
        assert_eq!(d("le 4 février 2024"), Some("2024-02-04".into()));
        assert_eq!(d("4 de enero de 2024"), Some("2024-01-04".into()));
        assert_eq!(d("4 gennaio 2024"), Some("2024-01-04".into()));
        assert_eq!(d("4 de março de 2024"), Some("2024-03-04".into()));
        assert_eq!(d("4 maart 2024"), Some("2024-03-04".into()));
        assert_eq!(d("1er juillet 2022"), Some("2022-07-01".into()));
        assert_eq!(
            d("Thu, 04 Jan 2024 10:00:00 GMT"),
            Some("2024-01-04".into())
        );
        assert_eq!(d("2024年1月4日"), Some("2024-01-04".into()));
    }

    #[test]
    fn numeric_forms() {
        assert_eq!(d("04.01.2024"), Some("2024-01-04".into()));
        assert_eq!(d("2024/01/04"), Some("2024-01-04".into()));
        assert_eq!(d("01/04/2024"), Some("2024-01-04".into()));
        assert_eq!(d("25/12/2023"), Some("2023-12-25".into()));
        assert_eq!(d("version 1.2.3"), None);
        assert_eq!(d("© 1987"), None);
        assert_eq!(d("March 3, 1980"), None);
    }

    #[test]
    fn the_earliest_date_in_a_line_wins() {
        assert_eq!(
            d("Published 3 March 2021, updated 5 May 2022"),
            Some("2021-03-03".into())
        );
    }

    #[test]
    fn url_dates() {
        assert_eq!(
            date_from_url("https://x.org/2024/01/04/slug/"),
            Some("2024-01-04".into())
        );
        assert_eq!(
            date_from_url("https://x.org/news/2024-01-04-slug"),
            Some("2024-01-04".into())
        );
        assert_eq!(
            date_from_url("https://x.org/a/20240104/slug"),
            Some("2024-01-04".into())
        );
        assert_eq!(date_from_url("https://x.org/2024/slug"), None);
        assert_eq!(date_from_url("https://x.org/p/123456789"), None);
    }
}
