//! Five-field cron schedules as the snapshot operator reads them. snapscheduler parses a
//! `SnapshotSchedule`'s `schedule` with robfig/cron v3's standard parser, whose dialect no Rust
//! crate implements (the `cron` crate wants seconds, `croner` accepts `L` and `#`, which
//! robfig refuses): minute, hour, day of month, month, day of week; each a comma list of `*`
//! or `?`, a value, or a range, with an optional `/step`; month and weekday names in English
//! (`jan`, `mon`); weekdays 0-6 from Sunday. The day of month and the day of week both
//! restrict a day only when neither is a plain `*`; otherwise either may match.

/// A parsed schedule: the set of each field's values, as bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// Whether the day of month or the day of week is a plain `*` (or `?`).
    any_day: bool,
}

struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field { name: "minute", min: 0, max: 59, names: &[] },
    Field { name: "hour", min: 0, max: 23, names: &[] },
    Field { name: "day of month", min: 1, max: 31, names: &[] },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    },
    Field { name: "day of week", min: 0, max: 6, names: &["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

impl Field {
    fn value(&self, text: &str) -> Result<u32, String> {
        let named = self.names.iter().position(|n| n.eq_ignore_ascii_case(text));
        let value = match named {
            Some(i) => u32::try_from(i).unwrap_or(0) + self.min,
            None => text.parse().map_err(|_| format!("`{text}` is not a {}", self.name))?,
        };
        if value < self.min || value > self.max {
            return Err(format!("{} `{text}` is outside {}-{}", self.name, self.min, self.max));
        }
        Ok(value)
    }

    /// The field's values as bits, and whether it was a plain `*`.
    fn parse(&self, text: &str) -> Result<(u64, bool), String> {
        let mut bits = 0u64;
        let mut star = false;
        for item in text.split(',') {
            let (range, step) = match item.split_once('/') {
                Some((r, s)) => {
                    let step: u32 =
                        s.parse().map_err(|_| format!("step `{s}` of the {} is not a number", self.name))?;
                    if step == 0 {
                        return Err(format!("the {}'s step is 0", self.name));
                    }
                    (r, Some(step))
                }
                None => (item, None),
            };
            let (low, high) = if range == "*" || range == "?" {
                star |= step.is_none_or(|s| s == 1);
                (self.min, self.max)
            } else if let Some((a, b)) = range.split_once('-') {
                (self.value(a)?, self.value(b)?)
            } else {
                let v = self.value(range)?;
                // `5/15` is `5-max/15`, as robfig reads it.
                (v, if step.is_some() { self.max } else { v })
            };
            if low > high {
                return Err(format!("the {} range `{range}` runs backwards", self.name));
            }
            let step = step.unwrap_or(1);
            bits |= (low..=high).step_by(step as usize).fold(0, |b, v| b | 1 << v);
        }
        Ok((bits, star))
    }
}

/// Reads a five-field schedule; the error says which field is wrong and how.
pub fn parse(text: &str) -> Result<Schedule, String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.len() != 5 {
        return Err(format!("a schedule has five fields (minute hour day month weekday), not {}", parts.len()));
    }
    let mut bits = [0u64; 5];
    let mut stars = [false; 5];
    for (i, (field, part)) in FIELDS.iter().zip(&parts).enumerate() {
        (bits[i], stars[i]) = field.parse(part)?;
    }
    Ok(Schedule {
        minutes: bits[0],
        hours: bits[1],
        days: bits[2],
        months: bits[3],
        weekdays: bits[4],
        any_day: stars[2] || stars[4],
    })
}

/// 2027-01-01, from 1970-01-01: where the windows [`Schedule::most_within`] measures start.
const FIRST_DAY: i64 = 20_819;

impl Schedule {
    /// How many times the schedule fires on day `days` (counted from 1970-01-01, UTC).
    fn on_day(&self, days: i64) -> u32 {
        let (_, month, day) = crate::calendar::civil_from_days(days);
        let weekday = (days + 4).rem_euclid(7); // 1970-01-01 was a Thursday.
        let by_date = self.days & 1 << day != 0;
        let by_weekday = self.weekdays & 1 << weekday != 0;
        let day_matches = if self.any_day { by_date && by_weekday } else { by_date || by_weekday };
        if self.months & 1 << month == 0 || !day_matches {
            return 0;
        }
        self.minutes.count_ones() * self.hours.count_ones()
    }

    /// The most times the schedule fires within any `days` consecutive days starting in one
    /// year: the snapshots alive at once when each is kept `days` days.
    pub fn most_within(&self, days: u32) -> u64 {
        let counts: Vec<u64> = (0..i64::from(days) + 366).map(|d| u64::from(self.on_day(FIRST_DAY + d))).collect();
        let len = days as usize;
        let mut sum: u64 = counts[..len].iter().sum();
        let mut most = sum;
        for start in 1..=366 {
            sum = sum + counts[start + len - 1] - counts[start - 1];
            most = most.max(sum);
        }
        most
    }

    /// The schedule as one start and a fixed period, when it is one: every day of every month,
    /// at one minute, at hours `period` apart from `first` that come back to it the next day.
    /// Returns `(first hour, minute, period in hours)`; a weekly or monthly schedule, two
    /// minutes an hour, or uneven hours have none.
    pub fn every_day_period(&self) -> Option<(u32, u32, u32)> {
        let all = |bits: u64, min: u32, max: u32| (min..=max).all(|v| bits & 1 << v != 0);
        let every_day = all(self.days, 1, 31) && all(self.weekdays, 0, 6);
        if !every_day || !all(self.months, 1, 12) || self.minutes.count_ones() != 1 || self.hours == 0 {
            return None;
        }
        let minute = self.minutes.trailing_zeros();
        let first = self.hours.trailing_zeros();
        let count = self.hours.count_ones();
        if 24 % count != 0 {
            return None;
        }
        let period = 24 / count;
        let even = (0..count).all(|k| self.hours & 1 << (first + k * period) != 0);
        even.then_some((first, minute, period))
    }

    /// The schedule in AWS's cron dialect (`cron(minute hour day month weekday year)`, in UTC),
    /// as AWS Backup's plans take it, when it is one AWS can run: one minute an hour (AWS Backup
    /// runs a plan's rule at most hourly), and at most one of the day of month and the day of
    /// week restricted (AWS has no "either" of the two: one of them is `?`). Weekdays become
    /// AWS's names (its numbers count from 1, Sunday).
    pub fn aws_cron(&self) -> Option<String> {
        fn list(bits: u64, min: u32, max: u32, name: impl Fn(u32) -> String) -> String {
            if (min..=max).all(|v| bits & 1 << v != 0) {
                return "*".into();
            }
            (min..=max).filter(|v| bits & 1 << v != 0).map(name).collect::<Vec<_>>().join(",")
        }
        const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
        if self.minutes.count_ones() != 1 || !self.any_day {
            return None;
        }
        let number = |v: u32| v.to_string();
        let day = list(self.days, 1, 31, number);
        let weekday = list(self.weekdays, 0, 6, |v| WEEKDAYS[v as usize].to_string());
        let (day, weekday) = match (day.as_str(), weekday.as_str()) {
            (_, "*") => (day, "?".to_string()),
            ("*", _) => ("?".to_string(), weekday),
            _ => return None,
        };
        Some(format!(
            "cron({} {} {day} {} {weekday} *)",
            self.minutes.trailing_zeros(),
            list(self.hours, 0, 23, number),
            list(self.months, 1, 12, number),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_weekly_and_hourly_schedules_count_as_a_calendar_does() {
        assert_eq!(parse("0 3 * * *").unwrap().most_within(1095), 1095);
        // Sundays: 157 in 1,095 days (the window starting on one).
        assert_eq!(parse("0 3 * * 0").unwrap().most_within(1095), 157);
        assert_eq!(parse("0 3 * * sun").unwrap(), parse("0 3 * * 0").unwrap());
        assert_eq!(parse("0 * * * *").unwrap().most_within(10), 240);
        assert_eq!(parse("*/15 9-17 * * mon-fri").unwrap().most_within(7), 4 * 9 * 5);
        // The first of each month, or any Monday: robfig ORs two restricted day fields.
        assert_eq!(parse("0 0 1 * 1").unwrap().most_within(31), 6);
        // Two a year, and a 366-day window from 1 January 2027 holds the next 1 January too.
        assert_eq!(parse("0 0 1 jan,JUL ?").unwrap().most_within(366), 3);
        assert_eq!(parse("30 1 * * 0").unwrap().most_within(90), 13);
    }

    #[test]
    fn a_daily_or_evenly_hourly_schedule_has_a_period_and_others_have_none() {
        assert_eq!(parse("0 3 * * *").unwrap().every_day_period(), Some((3, 0, 24)));
        assert_eq!(parse("15 */4 * * *").unwrap().every_day_period(), Some((0, 15, 4)));
        assert_eq!(parse("5 2/8 * * *").unwrap().every_day_period(), Some((2, 5, 8)));
        assert_eq!(parse("0 1,13 * * ?").unwrap().every_day_period(), Some((1, 0, 12)));
        assert_eq!(parse("0 3 * * 0").unwrap().every_day_period(), None);
        assert_eq!(parse("0 3 1 * *").unwrap().every_day_period(), None);
        assert_eq!(parse("0,30 3 * * *").unwrap().every_day_period(), None);
        assert_eq!(parse("0 1,2 * * *").unwrap().every_day_period(), None);
        assert_eq!(parse("0 3 * jan *").unwrap().every_day_period(), None);
        assert_eq!(parse("0 0-4 * * *").unwrap().every_day_period(), None);
    }

    #[test]
    fn aws_runs_an_hourly_or_rarer_schedule_with_one_restricted_day_field() {
        let aws = |text: &str| parse(text).unwrap().aws_cron();
        assert_eq!(aws("0 3 * * *").as_deref(), Some("cron(0 3 * * ? *)"));
        assert_eq!(aws("15 */6 * * *").as_deref(), Some("cron(15 0,6,12,18 * * ? *)"));
        assert_eq!(aws("0 3 * * 0").as_deref(), Some("cron(0 3 ? * SUN *)"));
        assert_eq!(aws("30 1 * * mon-fri").as_deref(), Some("cron(30 1 ? * MON,TUE,WED,THU,FRI *)"));
        assert_eq!(aws("0 2 1 jan,jul *").as_deref(), Some("cron(0 2 1 1,7 ? *)"));
        assert_eq!(aws("0 * * * *").as_deref(), Some("cron(0 * * * ? *)"));
        // Twice an hour, or the first of the month or any Monday: AWS cannot.
        assert_eq!(aws("*/30 3 * * *"), None);
        assert_eq!(aws("0 0 1 * 1"), None);
    }

    #[test]
    fn a_schedule_robfig_refuses_is_refused_with_its_field() {
        for (text, says) in [
            ("0 3 * *", "five fields"),
            ("60 3 * * *", "minute `60`"),
            ("0 24 * * *", "hour `24`"),
            ("0 3 0 * *", "day of month `0`"),
            ("0 3 * 13 *", "month `13`"),
            ("0 3 * * 7", "day of week `7`"),
            ("0 3 L * *", "`L` is not a day of month"),
            ("*/0 3 * * *", "step is 0"),
            ("0 5-2 * * *", "runs backwards"),
            ("0 3 * * mon#2", "not a day of week"),
        ] {
            let err = parse(text).expect_err(text);
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
