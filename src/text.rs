//! The plain-text path: split a text page into blocks, pick out its header
//! (title, standfirst), and classify lines as content or chrome.
//!
//! Text pages come in two shapes. Article-only dumps (a title line, maybe a
//! standfirst, the paragraphs, and a flattened share widget) need little more than the
//! header parser and the `[[text.rules]]`. Whole-page dumps hold every piece of text the
//! page showed: menus, breadcrumbs, related headlines, comment prompts and footers,
//! flattened to lines. For those the classifier works on signals that exist without
//! markup:
//!
//! * length, and whether a line ends like a sentence;
//! * stop-word density, with compact stop-word lists per language (the page's
//!   language is the list with clearly the most hits, else whatlang's on its longest
//!   lines, else the list with the most hits; CJK pages count particle characters; a
//!   language without a list skips the test);
//! * repetition (menus appear twice, "Reply" appears under every comment);
//! * the chrome rules: a line they match is chrome wherever it stands;
//! * context: every line gets a score (prose is positive, each short or chrome line
//!   costs something), and the content is the best-scoring run(s) of consecutive lines.
//!   So short lines between good ones (headings, list items, captions) stay, runs of
//!   short lines at the edges (menus, footers) go, and a chrome line such as "Related
//!   articles" acts as a barrier the region does not cross cheaply. This is jusText's
//!   neighbour smoothing, done once for the whole page.
//!
//! Pages with no clear body (listings, product grids) keep everything from the first
//! to the last prose line.
//!
//! Removed lines keep the name of what removed them: the chrome rule that matched, or
//! `text-classifier`. The `[[text.rules]]` then run again on the kept blocks (in
//! `lib.rs`), where their scopes trim the edges of the kept text.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;
use std::sync::Arc;

use serde::Deserialize;

mod trees;

use crate::block::{Block, BlockKind};
use crate::record::Metadata;
use crate::rules::{
    is_ascii_space, is_cjk, push_lowercase_chars, trim_fold_trailing, Probe, TextRule,
    TextRuleSpec, Unit,
};

/// The rule name on a title line moved to `title`.
pub const TITLE_RULE: &str = "text-title";
/// The rule name on a standfirst moved to `description`.
pub const STANDFIRST_RULE: &str = "text-standfirst";
/// The rule name on lines the classifier removed (unless a chrome rule matched them).
pub const CLASSIFIER_RULE: &str = "text-classifier";

/// The rule name on a kept line that repeats an earlier kept line word for word.
pub const DUPLICATE_RULE: &str = "text-duplicate";

/// The rule name on a long line that reads as a flattened list, not prose.
pub const LIST_DUMP_RULE: &str = "text-list-dump";

/// Names of rules built into the text path (not tables in `config.toml`), for `disable`.
pub const BUILTIN_RULES: &[&str] = &[
    TITLE_RULE,
    STANDFIRST_RULE,
    CLASSIFIER_RULE,
    DUPLICATE_RULE,
    LIST_DUMP_RULE,
];

/// `[text]` settings. The defaults equal the shipped `config.toml`, which documents
/// each one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TextConfig {
    /// `[[text.rules]]`: applied to text pages and to the blocks the HTML path keeps.
    pub rules: Vec<TextRuleSpec>,
    /// Longest first line that can be a title.
    pub title_max_chars: usize,
    /// Shortest standfirst.
    pub standfirst_min_chars: usize,
    /// Longest standfirst.
    pub standfirst_max_chars: usize,
    /// The body paragraphs after a standfirst must be, on average, at least this many
    /// times as long.
    pub standfirst_body_ratio: f64,
    /// Words (4+ letters) a standfirst must share with the title.
    pub standfirst_shared_words: usize,
    /// Share of stop words from which a line reads as prose.
    pub stopword_density: f64,
    /// Below this share of stop words over the whole page, the page's language has no
    /// list and the stop-word test is skipped.
    pub stopword_min_hit_rate: f64,
    /// Fewest words in a prose line.
    pub prose_min_words: usize,
    /// A CJK character counts as this many characters of length.
    pub cjk_char_weight: f64,
    /// Score every line pays: what makes runs of short lines (menus) negative.
    pub line_cost: f64,
    /// Score per character of a line that is not prose (a negative amount).
    pub chrome_weight: f64,
    /// Weight of a prose line that does not end like a sentence (headlines, teasers).
    pub unfinished_weight: f64,
    /// Score of a line a chrome rule matches (a negative amount).
    pub rule_penalty: f64,
    /// Lines shorter than this that occur more than once never count as prose.
    pub repeat_max_chars: usize,
    /// Besides the best region, keep regions scoring at least this share of it...
    pub secondary_share: f64,
    /// ...and at least this much.
    pub secondary_min_score: f64,
    /// A page whose best region scores below this share of its length has no body.
    pub weak_page_share: f64,
    /// On such pages, lines kept before the first and after the last prose line.
    pub weak_page_margin: usize,
    /// Share of a line a chrome span rule must cover for the line to count as chrome.
    pub rule_cover_share: f64,
    /// Prose scores shrink by up to this share towards the end of the page.
    pub position_decay: f64,
    /// A run holding (or just after) a heading like the page title counts this many
    /// times its score when runs are compared.
    pub anchor_boost: f64,
    /// Lines before a run in which such a heading still anchors it.
    pub anchor_window: usize,
    /// Shortest run of "Key: value" lines that counts as a spec table (0 = off).
    pub spec_min_run: usize,
    /// Score of each line of a spec table.
    pub spec_line_score: f64,
    /// Words of cookie banners, privacy policies, terms and shipping or returns notes
    /// (lower-case).
    pub policy_words: Vec<String>,
    /// A prose line with at least this many distinct policy words is policy text
    /// (0 = off)...
    pub policy_min_hits: usize,
    /// ...and scores this share of its length instead of all of it.
    pub policy_weight: f64,
    /// A kept line at least this long (chars) that repeats an earlier kept line word
    /// for word is removed (`text-duplicate`): a dump of a page with tabs or a mobile
    /// copy holds the article twice or three times.
    pub duplicate_min_chars: usize,
    /// A line of at least this many chars (0 = off)...
    pub list_dump_min_chars: usize,
    /// ...with fewer sentence ends than this per 1,000 chars...
    pub list_dump_max_ends: f64,
    /// ...yet at least this many space-separated words per 1,000 chars is a flattened
    /// list (`text-list-dump`): a country or language picker, a tag cloud, an archive
    /// menu. Scripts written without spaces never qualify.
    pub list_dump_min_words: f64,
    /// `[text.model]`: the learned line model (`bench/train-text.py` fits it).
    pub model: ModelConfig,
}

/// `[text.model]`: a model of P(content) per body line over [`MODEL_FEATURES`],
/// logistic (`bias` + `weights`) or gradient-boosted trees (`features` + `trees`).
/// Off, or a logistic model without weights = the hand-weighted classifier decides alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelConfig {
    /// Off = the hand-weighted classifier decides alone.
    pub enabled: bool,
    /// Which of the two model forms decides.
    pub kind: ModelKind,
    /// The intercept (logistic).
    pub bias: f64,
    /// A line inside the hand-weighted content region stays unless P(content) is
    /// below this...
    pub keep_threshold: f64,
    /// ...and a line outside it joins when P(content) is at least this.
    pub add_threshold: f64,
    /// Feature name -> weight; features not listed weigh 0 (logistic).
    pub weights: BTreeMap<String, f64>,
    /// The feature names the trees' feature indices refer to, in that order (trees).
    pub features: Vec<String>,
    /// One compact string per tree (see `text/trees.rs`: `F:T:L:R` internal nodes,
    /// bare numbers for leaves); the logit is the sum of the leaves reached (trees).
    pub trees: Vec<String>,
}

/// `[text.model] kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// `bias` + the `weights` dot the features, through a sigmoid.
    Logistic,
    /// The sum of the `trees`' leaves, through a sigmoid.
    Trees,
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig {
            enabled: true,
            kind: DEFAULT_MODEL_KIND,
            bias: DEFAULT_MODEL_BIAS,
            keep_threshold: DEFAULT_MODEL_KEEP_THRESHOLD,
            add_threshold: DEFAULT_MODEL_ADD_THRESHOLD,
            weights: DEFAULT_MODEL_WEIGHTS
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
            features: trees::DEFAULT_TREE_FEATURES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            trees: trees::DEFAULT_TREES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The shipped `[text.model]` (a test keeps it equal to `config.toml`); the trees
/// are in `text/trees.rs`.
const DEFAULT_MODEL_KIND: ModelKind = ModelKind::Logistic;
const DEFAULT_MODEL_BIAS: f64 = -2.6165;
const DEFAULT_MODEL_KEEP_THRESHOLD: f64 = 0.1;
const DEFAULT_MODEL_ADD_THRESHOLD: f64 = 0.6;
const DEFAULT_MODEL_WEIGHTS: &[(&str, f64)] = &[
    ("len_log", 0.7526),
    ("words_log", 0.8085),
    ("density", -0.0771),
    ("ends_sentence", 0.3852),
    ("repeated", -0.5343),
    ("policy", -1.1809),
    ("good", -0.4245),
    ("near_good", -0.4570),
    ("spec", 0.1869),
    ("base_keep", 0.9035),
    ("base_score", 0.9603),
    ("position", -0.8511),
    ("para_lines_log", -0.2513),
    ("caps_share", -0.6446),
    ("digit_share", -0.1080),
    ("key_value", 0.1208),
    ("list_item", 0.4865),
    ("pipe", -0.8599),
    ("short", -0.2197),
    ("anchor", -0.4378),
    ("after_anchor", 1.1557),
    ("page_share", -1.1427),
    ("page_kept_share", -0.7245),
    ("page_lines_log", 0.1644),
    ("keep_dist", -0.7912),
    ("window_good", 0.2591),
    ("prev_len_log", 1.0967),
    ("prev_prose", 0.0014),
    ("prev_rule", -0.4169),
    ("prev_keep", 0.0778),
    ("next_len_log", 1.4080),
    ("next_prose", 0.0474),
    ("next_rule", -0.2150),
    ("next_keep", 0.2514),
    ("prev2_prose", 0.2014),
    ("prev2_keep", 0.0974),
    ("next2_prose", 0.1991),
    ("next2_keep", 0.3974),
];

/// The shipped `policy_words` (a test keeps them equal to `config.toml`).
const DEFAULT_POLICY_WORDS: &str = "cookie cookies privacy policy terms conditions consent \
    gdpr ccpa tracking advertising advertisers partners personalised personalized preferences \
    opt-out browser returns refund refunds shipping warranty liability disclaimer copyright \
    trademarks license licence jurisdiction applicable law laws advice advisor liable endorse \
    endorsement reliable authorize authorise warranties accuracy indemnify trademark agreement \
    consult informational datenschutz haftung einwilligung nutzungsbedingungen \
    datenschutzerklärung confidentialité responsabilité consentement données privacidad \
    responsabilidad consentimiento términos privacidade responsabilidade consentimento \
    riservatezza responsabilità consenso";

impl Default for TextConfig {
    fn default() -> Self {
        TextConfig {
            rules: Vec::new(),
            title_max_chars: 150,
            standfirst_min_chars: 40,
            standfirst_max_chars: 300,
            standfirst_body_ratio: 1.5,
            standfirst_shared_words: 2,
            stopword_density: 0.2,
            stopword_min_hit_rate: 0.05,
            prose_min_words: 4,
            cjk_char_weight: 3.0,
            line_cost: 20.0,
            chrome_weight: 0.1,
            unfinished_weight: 0.3,
            rule_penalty: 400.0,
            repeat_max_chars: 40,
            secondary_share: 0.3,
            secondary_min_score: 200.0,
            weak_page_share: 0.07,
            weak_page_margin: 1,
            rule_cover_share: 0.5,
            position_decay: 0.0,
            anchor_boost: 6.0,
            anchor_window: 3,
            spec_min_run: 2,
            spec_line_score: 5.0,
            policy_words: DEFAULT_POLICY_WORDS
                .split_whitespace()
                .map(String::from)
                .collect(),
            policy_min_hits: 2,
            policy_weight: 0.0,
            duplicate_min_chars: 40,
            list_dump_min_chars: 1000,
            list_dump_max_ends: 0.5,
            list_dump_min_words: 60.0,
            model: ModelConfig::default(),
        }
    }
}

impl TextConfig {
    /// Range problems in thresholds and a malformed `[text.model]`, as messages.
    pub fn validate(&self) -> Vec<String> {
        let mut errs = self.validate_settings();
        if let Err(e) = Model::new(&self.model) {
            errs.push(e);
        }
        errs
    }

    /// [`TextConfig::validate`] but for the trees, which compiling parses anyway.
    fn validate_settings(&self) -> Vec<String> {
        let mut errs = Vec::new();
        let mut share = |name: &str, v: f64| {
            if !(0.0..=1.0).contains(&v) {
                errs.push(format!("[text] {name} must be between 0 and 1, not {v}"));
            }
        };
        share("stopword_density", self.stopword_density);
        share("stopword_min_hit_rate", self.stopword_min_hit_rate);
        share("unfinished_weight", self.unfinished_weight);
        share("secondary_share", self.secondary_share);
        share("weak_page_share", self.weak_page_share);
        share("rule_cover_share", self.rule_cover_share);
        share("position_decay", self.position_decay);
        share("policy_weight", self.policy_weight);
        for (name, v) in [
            ("standfirst_body_ratio", self.standfirst_body_ratio),
            ("cjk_char_weight", self.cjk_char_weight),
            ("line_cost", self.line_cost),
            ("chrome_weight", self.chrome_weight),
            ("rule_penalty", self.rule_penalty),
            ("anchor_boost", self.anchor_boost),
            ("spec_line_score", self.spec_line_score),
            ("secondary_min_score", self.secondary_min_score),
            ("list_dump_max_ends", self.list_dump_max_ends),
            ("list_dump_min_words", self.list_dump_min_words),
        ] {
            if !v.is_finite() || v < 0.0 {
                errs.push(format!("[text] {name} must be a number >= 0, not {v}"));
            }
        }
        for name in self.model.weights.keys() {
            if !MODEL_FEATURES.contains(&name.as_str()) {
                errs.push(format!(
                    "[text.model.weights] unknown feature `{name}` (known: {})",
                    MODEL_FEATURES.join(", ")
                ));
            }
        }
        for (name, v) in self
            .model
            .weights
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .chain([("bias", self.model.bias)])
        {
            if !v.is_finite() {
                errs.push(format!(
                    "[text.model] {name} must be a finite number, not {v}"
                ));
            }
        }
        for (name, t) in [
            ("keep_threshold", self.model.keep_threshold),
            ("add_threshold", self.model.add_threshold),
        ] {
            if !(t > 0.0 && t < 1.0) {
                errs.push(format!(
                    "[text.model] {name} must be between 0 and 1 (exclusive), not {t}"
                ));
            }
        }
        if self.title_max_chars == 0 {
            errs.push("[text] title_max_chars must be > 0".into());
        }
        if self.standfirst_min_chars > self.standfirst_max_chars {
            errs.push(format!(
                "[text] standfirst_min_chars ({}) is larger than standfirst_max_chars ({})",
                self.standfirst_min_chars, self.standfirst_max_chars
            ));
        }
        errs
    }
}

/// Compact stop-word lists: the most frequent function words of each language.
const STOP_WORDS: &[(&str, &str)] = &[
    ("en", "a about above after again against all also am an and any are as at be because been before being below between both but by can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours out over own same she should so some such than that the their theirs them themselves then there these they this those through to too under until up very was we were what when where which while who whom why will with would you your yours"),
    ("de", "aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei beim bin bis bist da damit dann das dass dem den denn der des die dies diese diesem diesen dieser dieses doch dort du durch ein eine einem einen einer eines er es etwas für gegen hat hatte haben hier hin hinter ich ihm ihn ihr ihre ihrem ihren ihrer im in indem ins ist jede jedem jeden jeder jetzt kann kein keine können man manche mehr mein mich mir mit muss nach nicht nichts noch nun nur ob oder ohne sehr sein seine sich sie sind so soll sollte sondern über um und uns unser unter viel vom von vor war waren warum was weil weiter welche wenn wer werden wie wieder will wir wird wo zu zum zur zwar zwischen"),
    ("fr", "à au aussi aux avec avait avoir c ce cela ces cet cette comme d dans de des donc dont du elle elles en encore est et été être eu fait il ils je l la le les leur leurs lui mais me même mes moi mon n ne nos notre nous on ont ou où par pas peut plus pour qu que quand qui s sa sans se ses si son sont sous sur ta te tes toi ton tous tout toute très tu un une vos votre vous y"),
    ("es", "a al algo algunos ante antes como con contra cual cuando de del desde donde durante e el ella ellas ellos en entre era es esa esas ese eso esos esta está están estas este esto estos fue fueron ha hay hasta la las le les lo los más me mi muy nada ni no nos o otra otros para pero por porque que quien se sea ser si sido sin sobre son su sus también te tiene todo todos tu un una uno unos y ya"),
    ("pt", "a à ao aos as até com como da das de dela dele do dos e é ela ele eles em entre era essa esse esta está estão este eu foi foram há isso já lhe mais mas me mesmo muito na não nas nem no nos o os ou para pela pelo por quando que quem se sem ser seu seus sua suas também tem ter um uma você"),
    ("it", "a ad al alla alle anche che chi ci come con cui da dal dalla dei del della delle di dove e è era gli ha hanno i il in io la le lo loro ma mi molto ne nel nella non o per più quale quando questa questo se sei si sia sono su sua sue suo tra un una uno"),
    ("nl", "aan al als bij dan dat de deze die dit door een en er geen had heb heeft het hij hoe in is je kan maar me meer met na naar niet nog nu of om onder ons ook op over te tot u uit van veel voor was wat we wel werd wie wij worden wordt zal ze zich zijn zo"),
    ("ru", "а без бы был была были было в вам вас во вот все всё вы да даже для до его ее её если есть ещё же за и из или им их к как когда кто ли мы на над не него нет ни но о об однако он она они оно от по под при с со так также там то только тот у уже чем что чтобы эта эти это этот я"),
    ("pl", "a aby ale bez bo był była było być czy dla do gdy go i ich im jak jako jednak jego jej jest już lub ma może na nad nie o od oraz po pod przez przy się są ta tak także te tego tej ten to tu tylko w we więc z za że żeby"),
];

/// Particles and function characters for the scripts written without spaces: their
/// share of a line's CJK characters plays the part of stop-word density.
const CJK_STOP_CHARS: &[(&str, &str)] = &[
    (
        "ja",
        "のにはをがでとたしてもなるれいうかこらからまでですますだった",
    ),
    (
        "zh",
        "的了是在和有我不这个也就人都一上他她们到说要会着对而与为以及之其中或",
    ),
];

/// A map for short keys looked up per word and per line (never iterated, so its order
/// cannot reach the output); SipHash cost 6% of the text path.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Compiled `[text]` settings.
pub struct Compiled {
    cfg: TextConfig,
    title: bool,
    standfirst: bool,
    classifier: bool,
    duplicate: bool,
    /// [`LIST_DUMP_RULE`], when on: the name, shared by the lines it marks.
    list_dump: Option<Arc<str>>,
    /// The `[[text.rules]]` that mark chrome, used as a classifier signal on any line
    /// (regardless of their scope: position is the classifier's business).
    chrome: Vec<TextRule>,
    /// The whole-phrase rules among the first 64 of `chrome`, as one map: folded phrase
    /// -> the bits (`chrome` indexes) of the rules listing it. One look-up per unit
    /// answers for all of them.
    phrases: FastMap<String, u64>,
    /// The bits of the rules `phrases` answers for.
    phrase_rules: u64,
    /// The most non-space characters any phrase in `phrases` has.
    phrase_longest: usize,
    /// Rules that capture metadata (e.g. the date header): such a line is never a title.
    capture: Vec<TextRule>,
    /// Lower-cased word -> the bit set of the `STOP_WORDS` languages that list it, and
    /// its `policy_words` index: one look-up per word of every line.
    words: FastMap<String, (u16, Option<u16>)>,
    /// Per `CJK_STOP_CHARS` language, its characters.
    cjk_stop: Vec<Vec<char>>,
    /// The learned line model, if `[text.model]` lists weights.
    model: Option<Model>,
}

impl Compiled {
    /// Compile; `enabled` says whether a built-in rule name is switched on.
    pub fn new(cfg: &TextConfig, enabled: &dyn Fn(&str) -> bool) -> Result<Compiled, String> {
        // Bad rules are reported by the config checker with their line; here they are
        // just left out.
        let compiled: Vec<TextRule> = cfg
            .rules
            .iter()
            .filter(|s| enabled(&s.name))
            .filter_map(|s| TextRule::compile(s).ok())
            .collect();
        Compiled::with_rules(cfg, enabled, &compiled)
    }

    /// [`Compiled::new`] with `cfg.rules` already compiled (the enabled ones, in
    /// order), so start-up does not build every regex twice.
    pub fn with_rules(
        cfg: &TextConfig,
        enabled: &dyn Fn(&str) -> bool,
        rules: &[TextRule],
    ) -> Result<Compiled, String> {
        let problems = cfg.validate_settings();
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let model = Model::new(&cfg.model)?;
        let compiled: Vec<TextRule> = rules
            .iter()
            .filter(|r| r.applies_to("text"))
            .cloned()
            .collect();
        let (capture, chrome): (Vec<TextRule>, Vec<TextRule>) =
            compiled.into_iter().partition(|r| r.field.is_some());
        let mut words: FastMap<String, (u16, Option<u16>)> = FastMap::default();
        for (i, (_, list)) in STOP_WORDS.iter().enumerate() {
            for w in list.split_whitespace() {
                words.entry(w.to_string()).or_default().0 |= 1 << i;
            }
        }
        for (i, w) in cfg.policy_words.iter().enumerate() {
            words.entry(w.to_lowercase()).or_default().1 =
                Some(i.min(usize::from(u16::MAX)) as u16);
        }
        let mut phrases: FastMap<String, u64> = FastMap::default();
        let (mut phrase_rules, mut phrase_longest) = (0u64, 0usize);
        for (i, r) in chrome.iter().enumerate().take(64) {
            if let Some(list) = r.whole_phrases() {
                phrase_rules |= 1 << i;
                for p in list {
                    let n = p.chars().filter(|c| !c.is_whitespace()).count();
                    phrase_longest = phrase_longest.max(n);
                    *phrases.entry(p.to_string()).or_default() |= 1 << i;
                }
            }
        }
        Ok(Compiled {
            cfg: TextConfig {
                rules: Vec::new(),
                ..cfg.clone()
            },
            title: enabled(TITLE_RULE),
            standfirst: enabled(STANDFIRST_RULE),
            classifier: enabled(CLASSIFIER_RULE),
            duplicate: enabled(DUPLICATE_RULE),
            list_dump: (enabled(LIST_DUMP_RULE) && cfg.list_dump_min_chars > 0)
                .then(|| Arc::from(LIST_DUMP_RULE)),
            chrome,
            phrases,
            phrase_rules,
            phrase_longest,
            capture,
            words,
            cjk_stop: CJK_STOP_CHARS
                .iter()
                .map(|(_, c)| c.chars().collect())
                .collect(),
            model,
        })
    }

    /// The chrome rule that matches this unit, if any. `unit` is the rule unit the text
    /// is (a paragraph or a line); span rules count when they cover most of the line.
    fn chrome_rule(&self, text: &str, unit: Unit) -> Option<&Arc<str>> {
        self.chrome_rule_in(&Probe::new(text), unit)
    }

    /// [`Compiled::chrome_rule`] on a probe of the unit.
    fn chrome_rule_in(&self, probe: &Probe, unit: Unit) -> Option<&Arc<str>> {
        let text = probe.text;
        // A phrase is at most `phrase_longest` non-space characters long, so a longer
        // unit is not folded at all.
        let mut phrase_hits = None;
        self.chrome.iter().enumerate().find_map(|(i, r)| {
            let hit = match (r.unit, unit) {
                (ru, u) if ru == u && i < 64 && self.phrase_rules & (1 << i) != 0 => {
                    let bits = *phrase_hits.get_or_insert_with(|| {
                        if probe.more_non_space_chars(self.phrase_longest) {
                            0
                        } else {
                            self.phrases.get(probe.folded()).copied().unwrap_or(0)
                        }
                    });
                    bits & (1 << i) != 0 && r.fits(probe)
                }
                (Unit::Span, Unit::Line) => r.find_in(probe).is_some_and(|(s, e)| {
                    let covered = text[s..e].chars().count() as f64;
                    covered >= self.cfg.rule_cover_share * probe.chars().max(1) as f64
                }),
                (ru, u) if ru == u => r.matches(probe),
                _ => false,
            };
            hit.then_some(&r.name)
        })
    }
}

/// A text page split into blocks, with the metadata its header gave.
pub struct TextPage {
    pub blocks: Vec<Block>,
    pub meta: Metadata,
}

/// The title line and standfirst of a page: their blocks, the metadata they give, and
/// the index of the first body paragraph.
fn header(paras: &[Vec<&str>], has_blank: bool, c: &Compiled) -> (Vec<Block>, Metadata, usize) {
    let mut meta = Metadata::default();
    let mut blocks = Vec::new();
    let mut first_body = 0;
    if c.title && has_blank {
        if let Some(title) = title_line(paras, c) {
            meta.title = Some(clean_title(title, paras));
            blocks.push(Block::removed(
                title,
                BlockKind::Heading(1),
                Arc::from(TITLE_RULE),
            ));
            first_body = 1;
            if c.standfirst {
                if let Some(sf) = standfirst(paras, title, c) {
                    meta.description = Some(sf.to_string());
                    blocks.push(Block::removed(
                        sf,
                        BlockKind::Paragraph,
                        Arc::from(STANDFIRST_RULE),
                    ));
                    first_body = 2;
                }
            }
        }
    }
    (blocks, meta, first_body.min(paras.len()))
}

/// Split and classify a text page.
pub fn extract(text: &str, c: &Compiled) -> TextPage {
    let (paras, has_blank) = split_paragraphs(text);
    let (mut blocks, mut meta, first_body) = header(&paras, has_blank, c);
    let body = &paras[first_body..];
    if !c.classifier {
        blocks.extend(body.iter().map(|p| Block::para(p.join("\n"))));
        return TextPage { blocks, meta };
    }
    let lines = analyse(body, c);

    let mut verdicts = classify(&lines, c, meta.title.as_deref());
    if c.duplicate {
        remove_duplicates(&lines, &mut verdicts, c.cfg.duplicate_min_chars);
    }
    if let (Some(raw), Some(clean)) = (
        blocks
            .first()
            .filter(|b| b.removed_by.as_deref() == Some(TITLE_RULE)),
        &meta.title,
    ) {
        if let Some(h) =
            heading_near_content(&lines, &verdicts, &raw.text, clean, c.cfg.title_max_chars)
        {
            meta.title = Some(h.to_string());
        }
    }
    blocks.extend(build_blocks(&lines, &verdicts));
    TextPage { blocks, meta }
}

/// One body line of a text page as the line model sees it (`dump-text-features`, for
/// `bench/train-text.py`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FeatureRow {
    /// Index of the line in the body (after the title and standfirst).
    pub line: usize,
    pub text: String,
    /// A chrome rule matched it: removed whatever the model says.
    pub rule: bool,
    /// Whether the line is kept with the shipped settings (after duplicates).
    pub kept: bool,
    /// The values of [`MODEL_FEATURES`], in order.
    pub features: Vec<f64>,
}

/// The model's features for every body line of a text page (empty when the classifier
/// is off).
pub fn feature_rows(text: &str, c: &Compiled) -> Vec<FeatureRow> {
    let (paras, has_blank) = split_paragraphs(text);
    let (_, meta, first_body) = header(&paras, has_blank, c);
    if !c.classifier {
        return Vec::new();
    }
    let lines = analyse(&paras[first_body..], c);
    let (_, feats) = base_and_features(&lines, &c.cfg, meta.title.as_deref(), true);
    let mut verdicts = classify(&lines, c, meta.title.as_deref());
    if c.duplicate {
        remove_duplicates(&lines, &mut verdicts, c.cfg.duplicate_min_chars);
    }
    lines
        .iter()
        .zip(feats)
        .zip(&verdicts)
        .enumerate()
        .map(|(i, ((l, f), v))| FeatureRow {
            line: i,
            text: l.text.to_string(),
            rule: l.rule.is_some(),
            kept: v.removed_by.is_none(),
            features: f.to_vec(),
        })
        .collect()
}

/// The page's own heading: a short line just before the content (or at its start)
/// sharing most of its words with the title line. Whole-page dumps open with the
/// `<title>`, which often carries the site name or an SEO variant of the heading.
/// `None` when the cleaned title itself stands there, or nothing fits.
fn heading_near_content<'a>(
    lines: &[Line<'a>],
    verdicts: &[Verdict],
    title: &str,
    clean: &str,
    max_chars: usize,
) -> Option<&'a str> {
    const BEFORE: usize = 15;
    const AFTER: usize = 2;
    const MIN_JACCARD: f64 = 0.5;
    let first = verdicts
        .iter()
        .position(|v| v.removed_by.is_none() && v.class == Class::Good)?;
    let t = content_words(title);
    let window = || {
        (first.saturating_sub(BEFORE)..(first + AFTER).min(lines.len()))
            .rev()
            .map(|i| &lines[i])
    };
    let clean_key = clean.to_lowercase();
    let raw_key = title.to_lowercase();
    if t.is_empty() || window().any(|l| l.text.to_lowercase() == clean_key) {
        return None;
    }
    window()
        .filter(|l| {
            l.chars <= max_chars
                && (!l.ends_sentence || l.text.ends_with('?'))
                && l.text.to_lowercase() != raw_key
        })
        .find(|l| shares_words(l.text, &t, MIN_JACCARD, &mut String::new()))
        .map(|l| l.text)
}

/// Paragraphs (as their trimmed, non-empty lines) split at blank lines; a page without
/// blank lines splits into lines. Also says whether the page had blank lines.
fn split_paragraphs(text: &str) -> (Vec<Vec<&str>>, bool) {
    let mut paras: Vec<Vec<&str>> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut has_blank = false;
    for raw in text.split('\n') {
        let line = raw.trim();
        if line.is_empty() {
            if !cur.is_empty() {
                paras.push(std::mem::take(&mut cur));
                has_blank = true;
            }
        } else {
            cur.push(line);
        }
    }
    if !cur.is_empty() {
        paras.push(cur);
    }
    if !has_blank || paras.len() == 1 {
        // One paragraph of many lines: treat each line as a paragraph.
        let lines: Vec<&str> = paras.into_iter().flatten().collect();
        return (lines.into_iter().map(|l| vec![l]).collect(), false);
    }
    (paras, true)
}

/// The first paragraph, if it reads as a title: one short line, not ending like a
/// sentence, with at least two words, and not chrome or a metadata header.
fn title_line<'a>(paras: &[Vec<&'a str>], c: &Compiled) -> Option<&'a str> {
    let first = paras.first()?;
    if paras.len() < 2 || first.len() != 1 {
        return None;
    }
    let line = first[0];
    let ok = line.chars().count() <= c.cfg.title_max_chars
        && !matches!(
            last_significant(line),
            Some('.' | ':' | ';' | ',' | '…' | '。')
        )
        && (letter_words(line) >= 2 || line.chars().filter(|ch| is_cjk(*ch)).count() >= 4)
        && c.chrome_rule(line, Unit::Line).is_none()
        && c.chrome_rule(line, Unit::Paragraph).is_none()
        && c.capture.iter().all(|r| r.find(line).is_none());
    ok.then_some(line)
}

/// The paragraph under the title, if it is a standfirst: one line, one whole sentence,
/// of a standfirst's length, sharing words with the title, and followed by a longer
/// paragraph of body text (so a page without a standfirst keeps its first paragraph,
/// and a subheading is not taken for one).
fn standfirst<'a>(paras: &[Vec<&'a str>], title: &str, c: &Compiled) -> Option<&'a str> {
    let (sf, next) = (paras.get(1)?, paras.get(2)?);
    if sf.len() != 1 {
        return None;
    }
    let line = sf[0];
    let n = line.chars().count();
    if n < c.cfg.standfirst_min_chars
        || n > c.cfg.standfirst_max_chars
        || sentence_breaks(line) > 0
        || !ends_sentence(line)
    {
        return None;
    }
    // The body must start right under it, and its paragraphs must be clearly longer:
    // a news lede is often one sentence too, but about as long as what follows.
    if !ends_sentence(next[0]) {
        return None;
    }
    let body: Vec<usize> = paras[2..]
        .iter()
        .take(STANDFIRST_BODY_PARAGRAPHS)
        .map(|p| p[0])
        .filter(|l| ends_sentence(l))
        .map(|l| l.chars().count())
        .collect();
    let mean = body.iter().sum::<usize>() as f64 / body.len().max(1) as f64;
    if mean < c.cfg.standfirst_body_ratio * n as f64 {
        return None;
    }
    if c.chrome_rule(line, Unit::Line).is_some() {
        return None;
    }
    let title_words = content_words(title);
    let shared = content_words(line)
        .iter()
        .filter(|w| title_words.contains(w))
        .count();
    (shared >= c.cfg.standfirst_shared_words).then_some(line)
}

/// Body paragraphs a standfirst is compared with.
const STANDFIRST_BODY_PARAGRAPHS: usize = 3;

/// Lower-cased words of four letters or more.
fn content_words(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .map(str::to_lowercase)
        .collect();
    v.sort();
    v.dedup();
    v
}

/// Whether the [`content_words`] of `s` and `t` (a `content_words` list) overlap by at
/// least `min_jaccard`. Most lines share no word at all, which is found without
/// building their word list (`buf` is scratch space).
fn shares_words(s: &str, t: &[String], min_jaccard: f64, buf: &mut String) -> bool {
    let any = if s.is_ascii() {
        // The byte lengths of the title words (63 for all longer): a word of another
        // length is not looked up.
        let lens = t.iter().fold(0u64, |m, w| m | 1 << w.len().min(63));
        let b = s.as_bytes();
        let mut i = 0;
        let mut found = false;
        while i < b.len() && !found {
            let from = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i - from >= 4 && lens & (1 << (i - from).min(63)) != 0 {
                // The title words are lower-cased: no copy of the word needed.
                let w = &b[from..i];
                found = t.iter().any(|x| x.as_bytes().eq_ignore_ascii_case(w));
            }
            i += 1;
        }
        found
    } else {
        s.split(|ch: char| !ch.is_alphanumeric())
            .filter(|w| w.chars().count() >= 4)
            .any(|w| {
                buf.clear();
                if w.is_ascii() {
                    buf.push_str(w);
                    buf.make_ascii_lowercase();
                } else {
                    buf.push_str(&w.to_lowercase());
                }
                // `t` is sorted.
                t.binary_search(&*buf).is_ok()
            })
    };
    if !any {
        return false;
    }
    if s.is_ascii() {
        // As `content_words` below, without a String per word: the distinct words
        // (ASCII case ignored, as lower-casing would) and how many of them `t` holds.
        let mut seen: Vec<&[u8]> = Vec::new();
        let mut shared = 0;
        for w in s.as_bytes().split(|b| !b.is_ascii_alphanumeric()) {
            if w.len() < 4 || seen.iter().any(|x| x.eq_ignore_ascii_case(w)) {
                continue;
            }
            seen.push(w);
            shared += usize::from(t.iter().any(|x| x.as_bytes().eq_ignore_ascii_case(w)));
        }
        let union = seen.len() + t.len() - shared;
        return union > 0 && shared as f64 >= min_jaccard * union as f64;
    }
    let w = content_words(s);
    let shared = w.iter().filter(|x| t.contains(x)).count();
    let union = w.len() + t.len() - shared;
    union > 0 && shared as f64 >= min_jaccard * union as f64
}

/// Separators between a page's title and its site name or section.
const TITLE_SEPARATORS: &[&str] = &[
    " | ", " – ", " — ", " - ", " :: ", " · ", " « ", " » ", " @ ",
];

/// The title without the site name. The page's own heading usually repeats the useful
/// part further down, so prefer, in order: a body line equal to one of the title's
/// parts (split at ` | ` style separators); the longest body line the title starts
/// with; the title without a last part shorter than the rest.
fn clean_title(title: &str, paras: &[Vec<&str>]) -> String {
    let key = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut parts = vec![title];
    for sep in TITLE_SEPARATORS {
        parts = parts
            .iter()
            .flat_map(|p| p.split(sep))
            .map(str::trim)
            .collect();
    }
    let parts: Vec<&str> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    let body: Vec<&str> = paras.iter().skip(1).flatten().copied().collect();
    if parts.len() > 1 {
        let part_keys: Vec<String> = parts.iter().map(|p| key(p)).collect();
        // The site name usually comes last (and also repeats in menus and footers), so
        // the last part does not count.
        let in_body = |k: &String| {
            body.iter()
                .any(|l| l.len() <= title.len() && key_is(l, k, &key))
        };
        if let Some(best) = (0..parts.len() - 1)
            .filter(|&i| in_body(&part_keys[i]))
            .max_by_key(|&i| parts[i].len())
        {
            return parts[best].to_string();
        }
    }
    let n = title.chars().count();
    let heading = body
        .iter()
        .filter(|l| {
            let k = l.chars().count();
            k < n && k * 10 >= n * 4 && word_count(l) >= 2 && title.starts_with(**l)
        })
        .max_by_key(|l| l.len());
    if let Some(h) = heading {
        let rest = title[h.len()..].trim_start();
        if rest.starts_with(['|', '-', '–', '—', '·', ':', '»', '«', '@']) {
            return h.to_string();
        }
    }
    for sep in TITLE_SEPARATORS {
        if let Some(i) = title.rfind(sep) {
            let (head, tail) = (title[..i].trim(), title[i + sep.len()..].trim());
            if head.chars().count() >= tail.chars().count() && word_count(head) >= 2 {
                return head.to_string();
            }
        }
    }
    title.to_string()
}

/// `key(l) == k`, for an ASCII `l` without building its key (whitespace runs as one
/// space, ASCII lower case).
fn key_is(l: &str, k: &str, key: &dyn Fn(&str) -> String) -> bool {
    if !l.is_ascii() {
        return key(l) == k;
    }
    let kb = k.as_bytes();
    let mut j = 0;
    let mut gap = false;
    for &b in l.as_bytes() {
        if is_ascii_space(b) {
            gap = true;
            continue;
        }
        if gap && j > 0 {
            if kb.get(j) != Some(&b' ') {
                return false;
            }
            j += 1;
        }
        gap = false;
        if kb.get(j) != Some(&b.to_ascii_lowercase()) {
            return false;
        }
        j += 1;
    }
    j == kb.len()
}

/// One line of the body, with the signals the classifier uses.
#[derive(Debug)]
struct Line<'a> {
    text: &'a str,
    /// Index of its paragraph in the body.
    para: usize,
    chars: usize,
    /// Length with CJK characters weighted (they carry more than a Latin letter).
    len: f64,
    words: usize,
    /// Stop-word share for the page's language.
    density: f64,
    ends_sentence: bool,
    /// The chrome rule matching the line (or its paragraph).
    rule: Option<Arc<str>>,
    /// How often the line (case-folded) occurs on the page.
    repeats: u32,
    /// Distinct `policy_words` in the line.
    policy: usize,
}

/// Per-line signals, with the page's language picked from stop-word hits.
fn analyse<'a>(paras: &[Vec<&'a str>], c: &Compiled) -> Vec<Line<'a>> {
    let n_lang = STOP_WORDS.len();
    let n_lines: usize = paras.iter().map(Vec::len).sum();
    let mut lines = Vec::with_capacity(n_lines);
    let mut hits: Vec<[u16; STOP_WORDS.len()]> = Vec::with_capacity(n_lines);
    let mut cjk_hits: Vec<[u16; CJK_STOP_CHARS.len()]> = Vec::with_capacity(n_lines);
    let mut cjk_counts = Vec::with_capacity(n_lines);
    let mut page_hits = vec![0usize; n_lang];
    let (mut page_words, mut page_cjk, mut page_kana, mut page_letters) =
        (0usize, 0usize, 0usize, 0usize);
    // Every line's repeat key, one after the other: no String per line.
    let mut key_buf = String::with_capacity(paras.iter().flatten().map(|l| l.len() + 1).sum());
    let mut key_ends: Vec<usize> = Vec::with_capacity(n_lines);
    let mut lower = String::new();
    // The chrome rule of each distinct line seen so far: menus and "Reply" repeat.
    let mut line_rules: FastMap<&str, Option<Arc<str>>> = FastMap::default();
    for (pi, para) in paras.iter().enumerate() {
        // The page's time budget: an expired page becomes a `timeout` reject anyway.
        if pi % 64 == 63 && crate::budget::expired() {
            break;
        }
        let para_rule = if para.len() > 1 {
            c.chrome_rule(&para.join("\n"), Unit::Paragraph).cloned()
        } else {
            None
        };
        for &text in para {
            let key_start = key_buf.len();
            push_key(&mut key_buf, text);
            key_ends.push(key_buf.len());
            let key = &key_buf[key_start..];
            let mut h = [0u16; STOP_WORDS.len()];
            let mut words = 0usize;
            let mut policy = PolicyHits::default();
            let mut cjk = 0usize;
            let mut ch_hits = [0u16; CJK_STOP_CHARS.len()];
            let chars;
            if text.is_ascii() {
                // The key holds the same words, already lower-cased: look them up in it.
                chars = text.len();
                let b = key.as_bytes();
                // The key's letters are the line's, lower-cased: one counting pass.
                page_letters += b.iter().filter(|x| x.is_ascii_lowercase()).count();
                let mut i = 0;
                while i < b.len() {
                    if !b[i].is_ascii_alphanumeric() {
                        i += 1;
                        continue;
                    }
                    let from = i;
                    while i < b.len() && b[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    words += 1;
                    count_word(c, &key[from..i], &mut h, &mut policy);
                }
            } else {
                for w in text
                    .split(|ch: char| !ch.is_alphanumeric() || is_cjk(ch))
                    .filter(|w| !w.is_empty())
                {
                    words += 1;
                    lower.clear();
                    push_lowercase_chars(&mut lower, w);
                    count_word(c, &lower, &mut h, &mut policy);
                }
                let mut n = 0usize;
                for ch in text.chars() {
                    n += 1;
                    if ch.is_alphabetic() {
                        page_letters += 1;
                    }
                    if is_cjk(ch) {
                        cjk += 1;
                        if ('\u{3040}'..='\u{30FF}').contains(&ch) {
                            page_kana += 1;
                        }
                        for (i, set) in c.cjk_stop.iter().enumerate() {
                            if set.contains(&ch) {
                                ch_hits[i] = ch_hits[i].saturating_add(1);
                            }
                        }
                    }
                }
                chars = n;
            }
            // Two CJK characters make about one word.
            let words = words + cjk / 2;
            page_words += words;
            page_cjk += cjk;
            for (p, x) in page_hits.iter_mut().zip(&h) {
                *p += usize::from(*x);
            }
            let rule = para_rule.clone().or_else(|| {
                if let Some(r) = line_rules.get(text) {
                    return r.clone();
                }
                // The key is the line's folded form plus trailing punctuation and a space.
                let probe = Probe::with_folded(text, chars, trim_fold_trailing(key));
                let r = c.chrome_rule_in(&probe, Unit::Line).cloned().or_else(|| {
                    c.list_dump
                        .clone()
                        .filter(|_| is_list_dump(text, chars, &c.cfg))
                });
                line_rules.insert(text, r.clone());
                r
            });
            lines.push(Line {
                text,
                para: pi,
                chars,
                len: (chars - cjk) as f64 + cjk as f64 * c.cfg.cjk_char_weight,
                words,
                density: 0.0,
                ends_sentence: ends_sentence(text),
                rule,
                repeats: 0,
                policy: policy.count(),
            });
            hits.push(h);
            cjk_hits.push(ch_hits);
            cjk_counts.push(cjk);
        }
    }
    // The page's language: CJK by script; else the stop-word list with clearly the
    // most hits; else what whatlang reliably detects (a language without a list skips
    // the density test); else the stop-word list with the most hits, if it has enough.
    let cjk_lang =
        (page_cjk * 10 > page_letters * 3).then(|| usize::from(page_kana * 20 <= page_cjk));
    let most_hits = (0..n_lang).max_by_key(|&i| page_hits[i]).unwrap_or(0);
    // A CJK page's densities come from its particle characters: no language to detect.
    let detected = if cjk_lang.is_some() {
        None
    } else if clear_stop_word_language(&page_hits, page_words) {
        // whatlang is a tenth of the text path; a page whose stop words name one
        // list well ahead of the rest does not need it.
        Some(Some(most_hits))
    } else {
        detect_language(&lines)
    };
    let (best, listed) = match detected {
        Some(Some(i)) => (i, true),
        Some(None) => (0, false),
        None => (
            most_hits,
            page_words > 0
                && page_hits[most_hits] as f64 >= c.cfg.stopword_min_hit_rate * page_words as f64,
        ),
    };
    // Counted once every key is known: no per-line copy of the key for the map.
    let keys: Vec<&str> = std::iter::once(0)
        .chain(key_ends.iter().copied())
        .zip(&key_ends)
        .map(|(a, &b)| &key_buf[a..b])
        .collect();
    let mut seen: FastMap<&str, u32> = FastMap::default();
    for k in &keys {
        *seen.entry(k).or_default() += 1;
    }
    for (i, l) in lines.iter_mut().enumerate() {
        l.repeats = seen.get(keys[i]).copied().unwrap_or(1);
        l.density = match cjk_lang {
            Some(j) if cjk_counts[i] > 0 => f64::from(cjk_hits[i][j]) / cjk_counts[i] as f64,
            Some(_) => 0.0,
            None if listed => f64::from(hits[i][best]) / l.words.max(1) as f64,
            // No list for this language: every line passes the stop-word test.
            None => 1.0,
        };
    }
    lines
}

/// A line's repeat key: its words lower-cased (`char::to_lowercase`), each followed by
/// one space. ASCII lines in one pass over the bytes.
fn push_key(out: &mut String, text: &str) {
    if text.is_ascii() {
        let b = text.as_bytes();
        if b.first().is_some_and(|&x| x != b' ')
            && b.last().is_some_and(|&x| x != b' ')
            && !b.iter().any(|&x| (b'\t'..=b'\r').contains(&x))
            && !crate::block::has_double_space(b)
        {
            // Words one space apart (nearly every line): the key is the line, lower-cased,
            // and a space, copied in one piece.
            let start = out.len();
            out.push_str(text);
            out[start..].make_ascii_lowercase();
            out.push(' ');
            return;
        }
        out.reserve(text.len() + 1);
        let mut in_word = false;
        for &b in b {
            if is_ascii_space(b) {
                if in_word {
                    out.push(' ');
                    in_word = false;
                }
            } else {
                out.push(char::from(b.to_ascii_lowercase()));
                in_word = true;
            }
        }
        if in_word {
            out.push(' ');
        }
    } else {
        // As `split_whitespace` and `push_lowercase_chars` per word, in one pass.
        let mut in_word = false;
        for ch in text.chars() {
            if ch.is_whitespace() {
                if in_word {
                    out.push(' ');
                    in_word = false;
                }
            } else {
                if ch.is_ascii() {
                    out.push(ch.to_ascii_lowercase());
                } else {
                    out.extend(ch.to_lowercase());
                }
                in_word = true;
            }
        }
        if in_word {
            out.push(' ');
        }
    }
}

/// Distinct `policy_words` indexes seen in a line: a bit set for the first 64, a list
/// past them (a config may list more).
#[derive(Default)]
struct PolicyHits {
    bits: u64,
    more: Vec<u16>,
}

impl PolicyHits {
    fn add(&mut self, k: u16) {
        if k < 64 {
            self.bits |= 1 << k;
        } else if !self.more.contains(&k) {
            self.more.push(k);
        }
    }

    fn count(&self) -> usize {
        self.bits.count_ones() as usize + self.more.len()
    }
}

/// One lower-cased word of a line: its policy word and stop-word hits.
fn count_word(c: &Compiled, lower: &str, h: &mut [u16], policy: &mut PolicyHits) {
    let Some(&(mask, k)) = c.words.get(lower) else {
        return;
    };
    if let Some(k) = k {
        policy.add(k);
    }
    for (i, slot) in h.iter_mut().enumerate() {
        if mask & (1 << i) != 0 {
            *slot = slot.saturating_add(1);
        }
    }
}

/// Whether one stop-word list clearly names the page's language: enough words, at
/// least `CLEAR_SHARE` of them its stop words, and half again as many hits as the
/// runner-up (Spanish and Portuguese share many).
fn clear_stop_word_language(page_hits: &[usize], page_words: usize) -> bool {
    const MIN_WORDS: usize = 50;
    const CLEAR_SHARE: f64 = 0.15;
    let mut top = [0usize; 2];
    for &h in page_hits {
        if h > top[0] {
            top = [h, top[0]];
        } else if h > top[1] {
            top[1] = h;
        }
    }
    page_words >= MIN_WORDS
        && top[0] as f64 >= CLEAR_SHARE * page_words as f64
        && top[0] * 2 >= top[1] * 3
}

/// The page's language by whatlang, on its longest lines (menus say little):
/// `Some(Some(i))` for `STOP_WORDS[i]`, `Some(None)` for a language without a list,
/// `None` when unsure.
fn detect_language(lines: &[Line]) -> Option<Option<usize>> {
    const SAMPLE_BYTES: usize = 2000;
    let mut by_len: Vec<&Line> = lines.iter().filter(|l| l.words >= 5).collect();
    by_len.sort_by_key(|l| std::cmp::Reverse(l.text.len()));
    let mut sample = String::new();
    for l in by_len {
        if sample.len() >= SAMPLE_BYTES {
            break;
        }
        // At most the remaining budget of a (huge) line, cut at a character boundary.
        let mut cut = (SAMPLE_BYTES - sample.len()).min(l.text.len());
        while !l.text.is_char_boundary(cut) {
            cut -= 1;
        }
        sample.push_str(&l.text[..cut]);
        sample.push('\n');
    }
    let info = whatlang::detect(&sample).filter(|i| i.is_reliable())?;
    let code = match info.lang().code() {
        "eng" => "en",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        "por" => "pt",
        "ita" => "it",
        "nld" => "nl",
        "rus" => "ru",
        "pol" => "pl",
        _ => return Some(None),
    };
    Some(STOP_WORDS.iter().position(|(c, _)| *c == code))
}

/// What the classifier made of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Prose that ends like a sentence.
    Good,
    /// Prose that does not end like a sentence (headlines, teasers, headings).
    NearGood,
    /// Short or not prose-like (menus, labels, dates, headings).
    Short,
    /// Matched by a chrome rule.
    Chrome,
}

/// The decision for one line.
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    class: Class,
    score: f64,
    /// `None` = kept; else the rule to name as the remover.
    removed_by: Option<Arc<str>>,
}

/// The hand-weighted classifier's verdicts (no rule names yet) and the lines its
/// content regions hold.
struct Base {
    verdicts: Vec<Verdict>,
    keep: Vec<bool>,
    /// [`title_anchors`], computed on first use (the regions need it only on some
    /// pages, the model on every page).
    anchors: OnceCell<Vec<usize>>,
}

/// Score each line with the hand weights and find the content region(s).
fn base_classify(lines: &[Line], cfg: &TextConfig, title: Option<&str>) -> Base {
    let mut verdicts: Vec<Verdict> = lines
        .iter()
        .map(|l| {
            let (class, score) = line_score(l, cfg);
            Verdict {
                class,
                score,
                removed_by: None,
            }
        })
        .collect();
    mark_spec_runs(lines, &mut verdicts, cfg);
    let n = lines.len().max(1) as f64;
    let scores: Vec<f64> = verdicts
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if v.score > 0.0 {
                v.score * (1.0 - cfg.position_decay * i as f64 / n)
            } else {
                v.score
            }
        })
        .collect();
    let anchors = OnceCell::new();
    let keep = content_regions(lines, &verdicts, &scores, cfg, title, &anchors);
    Base {
        verdicts,
        keep,
        anchors,
    }
}

/// The hand-weighted verdicts and every line's model features.
/// `extra`: compute [`extra_features`] too (else they are 0).
fn base_and_features(
    lines: &[Line],
    cfg: &TextConfig,
    title: Option<&str>,
    extra: bool,
) -> (Base, Vec<[f64; N_FEATURES]>) {
    let base = base_classify(lines, cfg, title);
    let feats = line_features(lines, &base, cfg, title, extra);
    (base, feats)
}

/// Score each line, find the content region(s), and decide. With a `[text.model]`,
/// the model's P(content) corrects the regions: a line in them goes when P is below
/// `keep_threshold`, a line outside joins when P reaches `add_threshold` (the model
/// sees the hand-weighted verdicts and regions among its features).
fn classify(lines: &[Line], c: &Compiled, title: Option<&str>) -> Vec<Verdict> {
    let cfg = &c.cfg;
    let (base, keep) = match &c.model {
        None => {
            let base = base_classify(lines, cfg, title);
            let keep = base.keep.clone();
            (base, keep)
        }
        Some(m) => {
            let (base, feats) = base_and_features(lines, cfg, title, m.uses_extra);
            let mut keep: Vec<bool> = feats
                .iter()
                .zip(&base.keep)
                .map(|(f, &k)| m.keeps(f, k))
                .collect();
            // The model must not empty a page the hand weights give text to.
            let any = |k: &[bool]| lines.iter().zip(k).any(|(l, &k)| k && l.rule.is_none());
            if !any(&keep) && any(&base.keep) {
                keep.clone_from(&base.keep);
            }
            (base, keep)
        }
    };
    let mut verdicts = base.verdicts;
    let classifier: Arc<str> = Arc::from(CLASSIFIER_RULE);
    for ((v, l), k) in verdicts.iter_mut().zip(lines).zip(keep) {
        v.removed_by = match (&l.rule, k) {
            (Some(r), _) => Some(r.clone()),
            (None, true) => None,
            (None, false) => Some(classifier.clone()),
        };
    }
    verdicts
}

/// The names of the line model's features, in the order [`line_features`] computes
/// them: the keys `[text.model.weights]` accepts.
pub const MODEL_FEATURES: &[&str] = &[
    "len_log",
    "words_log",
    "density",
    "ends_sentence",
    "repeated",
    "policy",
    "good",
    "near_good",
    "spec",
    "base_keep",
    "base_score",
    "position",
    "para_lines_log",
    "caps_share",
    "digit_share",
    "key_value",
    "list_item",
    "pipe",
    "short",
    "anchor",
    "after_anchor",
    "page_share",
    "page_kept_share",
    "page_lines_log",
    "keep_dist",
    "window_good",
    "prev_len_log",
    "prev_prose",
    "prev_rule",
    "prev_keep",
    "next_len_log",
    "next_prose",
    "next_rule",
    "next_keep",
    "prev2_prose",
    "prev2_keep",
    "next2_prose",
    "next2_keep",
    "caps_words",
    "shape_run",
    "len_rank",
    "prefix_repeat",
    "page_good_lines",
    "page_good_share",
    "window_len",
    "window_short",
    "para_first",
    "para_last",
    "digit_start",
    "currency",
    "ends_colon",
    "region_share",
];

/// How many features the line model has.
pub const N_FEATURES: usize = 52;
const _: () = assert!(MODEL_FEATURES.len() == N_FEATURES);

/// The compiled `[text.model]`: a model of P(content) per line.
#[derive(Debug, Clone)]
struct Model {
    form: ModelForm,
    /// Whether the model reads any of [`extra_features`].
    uses_extra: bool,
    /// The thresholds as logits, so a line costs no `exp`.
    keep_logit: f64,
    add_logit: f64,
}

#[derive(Debug, Clone)]
enum ModelForm {
    Logistic {
        bias: f64,
        weights: Box<[f64; N_FEATURES]>,
    },
    Trees(trees::Forest),
}

impl Model {
    /// `None` when off, or logistic without weights (the hand-weighted classifier
    /// decides); an error when the trees are malformed.
    fn new(cfg: &ModelConfig) -> Result<Option<Model>, String> {
        if !cfg.enabled {
            return Ok(None);
        }
        let form = match cfg.kind {
            ModelKind::Logistic if cfg.weights.is_empty() => return Ok(None),
            ModelKind::Logistic => {
                let mut weights = [0.0; N_FEATURES];
                for (name, w) in &cfg.weights {
                    if let Some(i) = MODEL_FEATURES.iter().position(|f| f == name) {
                        weights[i] = *w;
                    }
                }
                ModelForm::Logistic {
                    bias: cfg.bias,
                    weights: Box::new(weights),
                }
            }
            ModelKind::Trees => ModelForm::Trees(trees::Forest::parse(
                &cfg.features,
                &cfg.trees,
                MODEL_FEATURES,
            )?),
        };
        let extra = &MODEL_FEATURES[N_FEATURES - N_EXTRA..];
        let uses_extra = match cfg.kind {
            ModelKind::Logistic => cfg
                .weights
                .iter()
                .any(|(k, &w)| w != 0.0 && extra.contains(&k.as_str())),
            ModelKind::Trees => cfg.features.iter().any(|f| extra.contains(&f.as_str())),
        };
        let logit = |t: f64| (t / (1.0 - t)).ln();
        Ok(Some(Model {
            form,
            uses_extra,
            keep_logit: logit(cfg.keep_threshold),
            add_logit: logit(cfg.add_threshold),
        }))
    }

    /// The logit of P(content) for one line.
    fn logit(&self, f: &[f64; N_FEATURES]) -> f64 {
        match &self.form {
            ModelForm::Logistic { bias, weights } => {
                bias + f
                    .iter()
                    .zip(weights.iter())
                    .map(|(x, w)| x * w)
                    .sum::<f64>()
            }
            ModelForm::Trees(forest) => forest.score(f),
        }
    }

    /// Whether a line stays: its P(content) against the threshold for lines inside the
    /// hand-weighted region (`in_region`) or outside it.
    fn keeps(&self, f: &[f64; N_FEATURES], in_region: bool) -> bool {
        self.logit(f)
            >= if in_region {
                self.keep_logit
            } else {
                self.add_logit
            }
    }
}

/// Per line, the values of [`MODEL_FEATURES`]: its own signals, its neighbours', the
/// hand-weighted verdicts, and a few page-wide shares. Each is scaled to about 0..1.
fn line_features(
    lines: &[Line],
    base: &Base,
    cfg: &TextConfig,
    title: Option<&str>,
    extra: bool,
) -> Vec<[f64; N_FEATURES]> {
    let n = lines.len();
    let total: f64 = lines.iter().map(|l| l.len).sum::<f64>().max(1.0);
    let kept_len: f64 = lines
        .iter()
        .zip(&base.keep)
        .filter(|(_, &k)| k)
        .map(|(l, _)| l.len)
        .sum();
    let page_kept_share = kept_len / total;
    let page_lines_log = ((n + 1) as f64).ln() / 8.0;
    let prose: Vec<bool> = base
        .verdicts
        .iter()
        .map(|v| matches!(v.class, Class::Good | Class::NearGood))
        .collect();
    let good: Vec<bool> = base
        .verdicts
        .iter()
        .map(|v| v.class == Class::Good)
        .collect();
    let mut para_lines = vec![0usize; lines.last().map_or(0, |l| l.para + 1)];
    for l in lines {
        para_lines[l.para] += 1;
    }
    let anchors = base
        .anchors
        .get_or_init(|| title_anchors(lines, cfg, title));
    // Distance (in lines) to the nearest kept line, from both sides.
    let mut keep_dist = vec![n; n];
    let mut last = None;
    for (i, d) in keep_dist.iter_mut().enumerate() {
        if base.keep[i] {
            last = Some(i);
        }
        if let Some(k) = last {
            *d = i - k;
        }
    }
    last = None;
    for i in (0..n).rev() {
        if base.keep[i] {
            last = Some(i);
        }
        if let Some(k) = last {
            keep_dist[i] = keep_dist[i].min(k - i);
        }
    }
    let len_logs: Vec<f64> = lines.iter().map(|l| (l.len + 1.0).ln() / 6.0).collect();
    let flag = |b: bool| f64::from(u8::from(b));
    // The shipped logistic model weighs none of them: they cost it nothing.
    let extra = if extra {
        extra_features(lines, base, &len_logs)
    } else {
        Vec::new()
    };
    const NO_EXTRA: [f64; N_EXTRA] = [0.0; N_EXTRA];
    let mut next_anchor = 0;
    let mut since_anchor: Option<usize> = None;
    let mut out = Vec::with_capacity(n);
    for (i, l) in lines.iter().enumerate() {
        let v = &base.verdicts[i];
        while next_anchor < anchors.len() && anchors[next_anchor] <= i {
            since_anchor = Some(anchors[next_anchor]);
            next_anchor += 1;
        }
        let (letters, caps, digits) = letter_counts(l.text);
        let from = i.saturating_sub(3);
        let to = (i + 4).min(n);
        let window_good = good[from..to].iter().filter(|&&g| g).count() as f64 / (to - from) as f64;
        let at = |k: Option<usize>| k.filter(|&k| k < n);
        let prev = at(i.checked_sub(1));
        let next = at(Some(i + 1));
        let prev2 = at(i.checked_sub(2));
        let next2 = at(Some(i + 2));
        let nb_len = |k: Option<usize>| k.map_or(0.0, |k| len_logs[k]);
        let nb_prose = |k: Option<usize>| k.map_or(0.0, |k| flag(prose[k]));
        let nb_rule = |k: Option<usize>| k.map_or(0.0, |k| flag(lines[k].rule.is_some()));
        let nb_keep = |k: Option<usize>| k.map_or(0.0, |k| flag(base.keep[k]));
        let spec = v.class == Class::Short && v.score == cfg.spec_line_score;
        let e = extra.get(i).unwrap_or(&NO_EXTRA);
        out.push([
            len_logs[i],
            ((l.words + 1) as f64).ln() / 5.0,
            l.density.clamp(0.0, 1.0),
            flag(l.ends_sentence),
            flag(l.repeats > 1),
            (l.policy.min(4) as f64) / 4.0,
            flag(v.class == Class::Good),
            flag(v.class == Class::NearGood),
            flag(spec),
            flag(base.keep[i]),
            v.score.signum() * (v.score.abs() + 1.0).ln() / 8.0,
            i as f64 / n.max(1) as f64,
            (para_lines[l.para] as f64).ln() / 4.0,
            caps as f64 / letters.max(1) as f64,
            digits as f64 / l.chars.max(1) as f64,
            flag(key_value(l.text, l.chars)),
            flag(is_list_item(l.text)),
            flag(l.text.contains('|')),
            flag(l.chars < 30),
            flag(anchors.binary_search(&i).is_ok()),
            since_anchor.map_or(0.0, |k| (-((i - k) as f64) / 20.0).exp()),
            (l.len / total).min(1.0),
            page_kept_share,
            page_lines_log,
            ((keep_dist[i].min(n) + 1) as f64).ln() / 5.0,
            window_good,
            nb_len(prev),
            nb_prose(prev),
            nb_rule(prev),
            nb_keep(prev),
            nb_len(next),
            nb_prose(next),
            nb_rule(next),
            nb_keep(next),
            nb_prose(prev2),
            nb_keep(prev2),
            nb_prose(next2),
            nb_keep(next2),
            e[0],
            e[1],
            e[2],
            e[3],
            e[4],
            e[5],
            e[6],
            e[7],
            e[8],
            e[9],
            e[10],
            e[11],
            e[12],
            e[13],
        ]);
    }
    out
}

/// How many features [`extra_features`] gives each line.
const N_EXTRA: usize = 14;

/// The shape features after the first 38 (`caps_words` to `region_share`): item
/// templates (runs of same-shaped lines, repeated first words), the line's length rank,
/// the page's amount of prose, the 11 lines around it, its place in its paragraph, and
/// the size of the hand-weighted region it lies in.
fn extra_features<'a>(lines: &[Line<'a>], base: &Base, len_logs: &[f64]) -> Vec<[f64; N_EXTRA]> {
    let n = lines.len();
    let flag = |b: bool| f64::from(u8::from(b));
    // A line's shape: its length class, sentence end, list marker and first character.
    let shape = |l: &Line| {
        let first = l.text.trim_start().chars().next().map_or(0u8, |c| {
            if c.is_numeric() {
                1
            } else if c.is_uppercase() {
                2
            } else if c.is_alphabetic() {
                3
            } else {
                4
            }
        });
        (
            usize::BITS - l.chars.leading_zeros(),
            l.ends_sentence,
            is_list_item(l.text),
            first,
        )
    };
    let shapes: Vec<_> = lines.iter().map(shape).collect();
    let mut shape_run = vec![0usize; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && shapes[j] == shapes[i] {
            j += 1;
        }
        shape_run[i..j].fill(j - i);
        i = j;
    }
    let mut sorted: Vec<f64> = lines.iter().map(|l| l.len).collect();
    sorted.sort_by(f64::total_cmp);
    let first_word = |l: &Line<'a>| -> &'a str { l.text.split_whitespace().next().unwrap_or("") };
    let mut prefixes: FastMap<&str, usize> = FastMap::default();
    for l in lines {
        *prefixes.entry(first_word(l)).or_default() += 1;
    }
    let good = base
        .verdicts
        .iter()
        .filter(|v| v.class == Class::Good)
        .count();
    let page_good_lines = ((good + 1) as f64).ln() / 5.0;
    let page_good_share = good as f64 / n.max(1) as f64;
    // The kept share of the page each hand-weighted region holds.
    let total: f64 = lines.iter().map(|l| l.len).sum::<f64>().max(1.0);
    let mut region_share = vec![0.0; n];
    let mut i = 0;
    while i < n {
        if !base.keep[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut len = 0.0;
        while j < n && base.keep[j] {
            len += lines[j].len;
            j += 1;
        }
        region_share[i..j].fill(len / total);
        i = j;
    }
    let mut out = Vec::with_capacity(n);
    for (i, l) in lines.iter().enumerate() {
        let (from, to) = (i.saturating_sub(5), (i + 6).min(n));
        let m = (to - from) as f64;
        let window_len = len_logs[from..to].iter().sum::<f64>() / m;
        let window_short = lines[from..to].iter().filter(|l| l.chars < 30).count() as f64 / m;
        let words: Vec<&str> = l.text.split_whitespace().collect();
        let caps = words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
            .count();
        let rank = sorted.partition_point(|&x| x < l.len) as f64 / n as f64;
        let fw = first_word(l);
        let last = l.text.trim_end().chars().last();
        out.push([
            caps as f64 / words.len().max(1) as f64,
            ((shape_run[i] as f64).ln() / 4.0).min(1.5),
            rank,
            if fw.is_empty() {
                0.0
            } else {
                ((prefixes[fw] as f64).ln() / 4.0).min(1.5)
            },
            page_good_lines,
            page_good_share,
            window_len,
            window_short,
            flag(i == 0 || lines[i - 1].para != l.para),
            flag(i + 1 == n || lines[i + 1].para != l.para),
            flag(fw.chars().next().is_some_and(|c| c.is_ascii_digit())),
            flag(l.text.contains(['$', '€', '£', '¥'])),
            flag(last == Some(':')),
            region_share[i],
        ]);
    }
    out
}

/// Mark kept lines of at least `min_chars` that repeat an earlier kept line exactly:
/// the shingle of a page should not count its article three times because the dump
/// flattened three tabs. Only lines the page repeats (`repeats`) are hashed.
fn remove_duplicates(lines: &[Line], verdicts: &mut [Verdict], min_chars: usize) {
    if min_chars == 0 {
        return;
    }
    let rule: Arc<str> = Arc::from(DUPLICATE_RULE);
    let mut seen: FastMap<&str, ()> = FastMap::default();
    for (l, v) in lines.iter().zip(verdicts.iter_mut()) {
        if v.removed_by.is_some() || l.repeats < 2 || l.chars < min_chars {
            continue;
        }
        if seen.insert(l.text.trim(), ()).is_some() {
            v.removed_by = Some(rule.clone());
        }
    }
}

/// Runs of at least `spec_min_run` consecutive "Key: value" lines (a product's specs,
/// a game's system requirements, a plan's terms) score `spec_line_score` each instead
/// of costing like short lines: they belong to the content next to them, so the
/// region reaches over them rather than stopping before.
fn mark_spec_runs(lines: &[Line], verdicts: &mut [Verdict], cfg: &TextConfig) {
    if cfg.spec_min_run == 0 {
        return;
    }
    let is_spec = |l: &Line, v: &Verdict| v.class == Class::Short && key_value(l.text, l.chars);
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j < lines.len() && is_spec(&lines[j], &verdicts[j]) {
            j += 1;
        }
        if j - i >= cfg.spec_min_run {
            for v in &mut verdicts[i..j] {
                v.score = cfg.spec_line_score;
            }
        }
        i = j.max(i + 1);
    }
}

/// "Key: value": a short key of at most four words, a colon, and a value.
#[cfg(test)]
fn is_key_value(s: &str) -> bool {
    s.len() <= KV_MAX_LINE_CHARS * 4 && key_value(s, s.chars().count())
}

const KV_MAX_LINE_CHARS: usize = 120;

/// [`is_key_value`] for a line whose char count is known.
fn key_value(s: &str, chars: usize) -> bool {
    const MAX_KEY_CHARS: usize = 32;
    if chars > KV_MAX_LINE_CHARS {
        return false;
    }
    let Some((key, value)) = s.split_once(':') else {
        return false;
    };
    let key = key.trim();
    !key.is_empty()
        && key.chars().count() <= MAX_KEY_CHARS
        && key.split_whitespace().count() <= 4
        && key.chars().next().is_some_and(char::is_alphabetic)
        && !value.starts_with("//")
        && value.chars().any(char::is_alphanumeric)
}

/// A line's class and score: prose scores its length (less for lines that do not end
/// like a sentence), everything else costs its length; every line pays `line_cost`.
fn line_score(l: &Line, cfg: &TextConfig) -> (Class, f64) {
    if l.rule.is_some() {
        return (Class::Chrome, -cfg.rule_penalty);
    }
    let repeated = l.repeats > 1 && l.chars < cfg.repeat_max_chars && !l.ends_sentence;
    let prose = l.words >= cfg.prose_min_words && l.density >= cfg.stopword_density && !repeated;
    if !prose {
        (Class::Short, -cfg.chrome_weight * l.len - cfg.line_cost)
    } else if cfg.policy_min_hits > 0 && l.policy >= cfg.policy_min_hits {
        // Policy text is prose, but a cookie banner or a returns note is not the page's
        // content: it weighs less, so the run under the product or thread wins.
        let class = if l.ends_sentence {
            Class::Good
        } else {
            Class::NearGood
        };
        (class, cfg.policy_weight * l.len - cfg.line_cost)
    } else if l.ends_sentence {
        (Class::Good, l.len - cfg.line_cost)
    } else {
        (
            Class::NearGood,
            cfg.unfinished_weight * l.len - cfg.line_cost,
        )
    }
}

/// Which lines lie in the content: the best-scoring run of lines and any other run
/// scoring nearly as well; on a page with no such run, everything from the first to
/// the last prose line.
fn content_regions(
    lines: &[Line],
    verdicts: &[Verdict],
    scores: &[f64],
    cfg: &TextConfig,
    title: Option<&str>,
    anchors: &OnceCell<Vec<usize>>,
) -> Vec<bool> {
    let anchors = || anchors.get_or_init(|| title_anchors(lines, cfg, title));
    let n = lines.len();
    let mut keep = vec![false; n];
    let total: f64 = lines.iter().map(|l| l.len).sum();
    let runs = maximal_runs(scores);
    let top = runs.iter().map(|r| r.0).fold(0.0, f64::max);
    if top <= 0.0 || top < cfg.weak_page_share * total {
        let prose = |v: &Verdict| matches!(v.class, Class::Good | Class::NearGood);
        if let (Some(a), Some(b)) = (
            verdicts.iter().position(prose),
            verdicts.iter().rposition(prose),
        ) {
            // The page's own heading, when it comes after the first prose line, is where
            // the listing starts: the prose above it is a banner or a cookie notice.
            let heading = anchors()
                .iter()
                .copied()
                .find(|&k| k <= b)
                .filter(|&k| k > a);
            let a = heading.unwrap_or(a);
            let (a, b) = (
                a.saturating_sub(cfg.weak_page_margin),
                (b + cfg.weak_page_margin).min(n - 1),
            );
            keep[a..=b].iter_mut().for_each(|k| *k = true);
        }
        return keep;
    }
    let runs = if runs.len() > 1 && cfg.anchor_boost != 1.0 {
        anchor_runs(runs, anchors(), cfg)
    } else {
        runs
    };
    let top = runs.iter().map(|r| r.0).fold(0.0, f64::max);
    let threshold = (cfg.secondary_share * top)
        .max(cfg.secondary_min_score)
        .min(top);
    for (_, a, b) in runs.into_iter().filter(|r| r.0 >= threshold) {
        keep[a..=b].iter_mut().for_each(|k| *k = true);
    }
    keep
}

/// Runs with their scores boosted where a heading like the page title stands in them
/// or just before them: on pages whose longest prose is a policy, a review list or a
/// modal, the product or thread under its own heading is the content.
fn anchor_runs(
    mut runs: Vec<(f64, usize, usize)>,
    anchors: &[usize],
    cfg: &TextConfig,
) -> Vec<(f64, usize, usize)> {
    for r in runs.iter_mut() {
        let from = r.1.saturating_sub(cfg.anchor_window);
        if anchors.iter().any(|&k| k >= from && k <= r.2) {
            r.0 *= cfg.anchor_boost;
        }
    }
    runs
}

/// The lines that read as the page's own heading: short, not a sentence, and sharing
/// most of their words (4+ letters) with the title.
fn title_anchors(lines: &[Line], cfg: &TextConfig, title: Option<&str>) -> Vec<usize> {
    const MIN_JACCARD: f64 = 0.5;
    let t = title.map(content_words).unwrap_or_default();
    if t.is_empty() {
        return Vec::new();
    }
    let mut buf = String::new();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.chars <= cfg.title_max_chars && !l.ends_sentence)
        .filter(|(_, l)| shares_words(l.text, &t, MIN_JACCARD, &mut buf))
        .map(|(i, _)| i)
        .collect()
}

/// All maximal-scoring runs of `scores` as `(sum, first, last)`, in order: the best
/// run, then the best runs left and right of it, and so on down to single positive
/// lines. Ruzzo and Tompa's linear-time algorithm ("A linear time algorithm for
/// finding all maximal scoring subsequences", 1999), so a page of 100,000 lines with
/// thousands of runs costs no more than its length.
fn maximal_runs(scores: &[f64]) -> Vec<(f64, usize, usize)> {
    struct Run {
        /// Cumulative score before the run, and at its end.
        low: f64,
        high: f64,
        first: usize,
        last: usize,
        /// The nearest earlier run with a lower `low` (a chain to search along).
        lower: Option<usize>,
    }
    let mut runs: Vec<Run> = Vec::new();
    let mut cum = 0.0;
    for (i, &x) in scores.iter().enumerate() {
        if x > 0.0 {
            let mut new = Run {
                low: cum,
                high: cum + x,
                first: i,
                last: i,
                lower: None,
            };
            loop {
                // The rightmost run whose `low` is below the new one's.
                let mut k = runs.len().checked_sub(1);
                while let Some(j) = k {
                    if runs[j].low < new.low {
                        break;
                    }
                    k = runs[j].lower;
                }
                match k {
                    Some(j) if runs[j].high < new.high => {
                        // Extending run j to the new one scores more: merge and retry.
                        new.low = runs[j].low;
                        new.first = runs[j].first;
                        runs.truncate(j);
                    }
                    _ => {
                        new.lower = k;
                        runs.push(new);
                        break;
                    }
                }
            }
        }
        cum += x;
    }
    runs.into_iter()
        .map(|r| (r.high - r.low, r.first, r.last))
        .collect()
}

/// Turn lines and verdicts into blocks: within a paragraph, consecutive lines with the
/// same decision form one block. A kept one-line block that does not end like a
/// sentence and is followed by prose is taken for a heading.
fn build_blocks(lines: &[Line], verdicts: &[Verdict]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i + 1;
        while j < lines.len()
            && lines[j].para == lines[i].para
            && verdicts[j].removed_by == verdicts[i].removed_by
        {
            j += 1;
        }
        let text = lines[i..j]
            .iter()
            .map(|l| l.text)
            .collect::<Vec<_>>()
            .join("\n");
        out.push(Block {
            text,
            kind: BlockKind::Paragraph,
            removed_by: verdicts[i].removed_by.clone(),
            shape: Default::default(),
        });
        spans.push((i, j));
        i = j;
    }
    let kept: Vec<usize> = (0..out.len()).filter(|&b| out[b].is_kept()).collect();
    for w in kept.windows(2) {
        let (b, next) = (w[0], w[1]);
        let (s, e) = spans[b];
        let l = &lines[s];
        let next_class = verdicts[spans[next].0].class;
        if e - s == 1
            && !l.ends_sentence
            && l.chars <= 120
            && next_class == Class::Good
            && !is_list_item(l.text)
        {
            out[b].kind = BlockKind::Heading(2);
        }
    }
    out
}

fn is_list_item(s: &str) -> bool {
    // "1." / "12)": one to three digits right before the first '.' or ')'. Only the
    // first four bytes matter, so a long line is not scanned for its first period.
    let b = s.as_bytes();
    let digits = b.iter().take(4).take_while(|c| c.is_ascii_digit()).count();
    s.starts_with(['-', '*', '•', '·', '–'])
        || ((1..=3).contains(&digits) && matches!(b.get(digits), Some(b'.' | b')')))
}

/// (letters, upper-case letters, ASCII digits) of `s`; ASCII text by bytes.
fn letter_counts(s: &str) -> (usize, usize, usize) {
    let (mut letters, mut caps, mut digits) = (0usize, 0usize, 0usize);
    if s.is_ascii() {
        for &c in s.as_bytes() {
            letters += usize::from(c.is_ascii_alphabetic());
            caps += usize::from(c.is_ascii_uppercase());
            digits += usize::from(c.is_ascii_digit());
        }
    } else {
        for ch in s.chars() {
            if ch.is_alphabetic() {
                letters += 1;
                caps += usize::from(ch.is_uppercase());
            } else if ch.is_ascii_digit() {
                digits += 1;
            }
        }
    }
    (letters, caps, digits)
}

/// The last character that is not a closing quote or bracket.
fn last_significant(s: &str) -> Option<char> {
    s.trim_end().chars().rev().find(|c| {
        !matches!(
            c,
            '"' | '\'' | '”' | '’' | '»' | '«' | ')' | ']' | '）' | '」' | '』' | '*'
        )
    })
}

/// Whether a line ends like a sentence (closing quotes and brackets aside).
fn ends_sentence(s: &str) -> bool {
    matches!(
        last_significant(s),
        Some('.' | '!' | '?' | '…' | ':' | ';' | '。' | '！' | '？' | '：' | '；')
    )
}

/// Whether a line is a flattened list (see [`TextConfig::list_dump_min_words`]): long,
/// next to no sentence ends, yet spaced like words. Prose of 1,000 chars has a dozen
/// sentence ends; a country picker or tag cloud dumped on one line has none.
fn is_list_dump(text: &str, chars: usize, cfg: &TextConfig) -> bool {
    if chars < cfg.list_dump_min_chars.max(1) {
        return false;
    }
    let per_1000 = |n: usize| n as f64 * 1000.0 / chars as f64;
    if per_1000(text.split_whitespace().count()) < cfg.list_dump_min_words {
        return false;
    }
    // A sentence end: `.!?:;` before a space, a closing quote or the end; CJK marks
    // anywhere (CJK puts no space after them).
    let mut ends = 0;
    let mut it = text.chars().peekable();
    while let Some(ch) = it.next() {
        ends += usize::from(match ch {
            '。' | '！' | '？' => true,
            '.' | '!' | '?' | ':' | ';' => it
                .peek()
                .is_none_or(|n| n.is_whitespace() || matches!(n, '"' | '”' | '’' | ')')),
            _ => false,
        });
    }
    per_1000(ends) < cfg.list_dump_max_ends
}

/// Sentence breaks inside a line: a full stop, `!` or `?` followed by a space and a
/// capital letter ("U.S. to" is not one).
fn sentence_breaks(s: &str) -> usize {
    let cs: Vec<char> = s.trim_end().chars().collect();
    (0..cs.len().saturating_sub(2))
        .filter(|&i| {
            matches!(cs[i], '.' | '!' | '?')
                && cs[i + 1].is_whitespace()
                && cs[i + 2].is_uppercase()
        })
        .count()
        + cs.iter()
            .filter(|c| matches!(c, '。' | '！' | '？'))
            .count()
            .saturating_sub(1)
}

/// Words that contain a letter.
fn letter_words(s: &str) -> usize {
    s.split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// Words: runs of letters or digits.
fn word_count(s: &str) -> usize {
    s.split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rules;

    fn rules() -> Rules {
        Rules::defaults()
    }

    /// (text, removed_by) of every block.
    fn view(page: &TextPage) -> Vec<(&str, Option<&str>)> {
        page.blocks
            .iter()
            .map(|b| (b.text.as_str(), b.removed_by.as_deref()))
            .collect()
    }

    fn kept(page: &TextPage) -> Vec<&str> {
        page.blocks
            .iter()
            .filter(|b| b.is_kept())
            .map(|b| b.text.as_str())
            .collect()
    }

    const P1: &str = "The committee met on Tuesday to discuss the new budget, and it agreed that the schools in the north of the county should receive more money next year.";
    const P2: &str = "Members said that the decision was not easy, but that the state of the buildings had become a problem for the teachers and for the pupils who use them.";
    const P3: &str = "The plan will now go to the full council, which is expected to vote on it in March after a public consultation that will run for six weeks.";

    /// The per-line fast paths give what the plain definitions give.
    #[test]
    fn list_items_and_letter_counts_agree_with_their_plain_definitions() {
        let plain_item = |s: &str| {
            s.starts_with(['-', '*', '•', '·', '–'])
                || s.split_once(['.', ')']).is_some_and(|(n, _)| {
                    !n.is_empty() && n.len() <= 3 && n.chars().all(|c| c.is_ascii_digit())
                })
        };
        let plain_counts = |s: &str| {
            let letters = s.chars().filter(|c| c.is_alphabetic()).count();
            let caps = s
                .chars()
                .filter(|c| c.is_alphabetic() && c.is_uppercase())
                .count();
            (
                letters,
                caps,
                s.chars().filter(|c| c.is_ascii_digit()).count(),
            )
        };
        for s in [
            "",
            "1. First",
            "12) Second",
            "123. Third",
            "1234. Year",
            "1.5 litres",
            "a. b",
            "- dash",
            "• bullet",
            "3",
            "10)",
            "Version 2.0 is out.",
            "2024: a year",
            "Über 3 Äpfel",
            "Zürich 12. Mai",
            "東京 2024",
            "ÉTÉ en FRANCE.",
        ] {
            assert_eq!(is_list_item(s), plain_item(s), "{s:?}");
            assert_eq!(letter_counts(s), plain_counts(s), "{s:?}");
        }
    }

    #[test]
    fn fast_line_keys_and_word_overlap_agree_with_their_definitions() {
        let key = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        for l in [
            "Share  this\x0bNEWS !!",
            "Fall isn’t just pumpkin spice season—it’s",
            "ÜBER UNS\u{a0}» ",
            "İstanbul Ω Σ",
            "12 Comments",
            // One space between words (the copied-whole path), and the edge cases
            // it must leave to the word-by-word one.
            "Read More About The Budget",
            " Leading space",
            "Trailing space ",
            "Tab\tinside",
            "",
        ] {
            let mut k = String::new();
            push_key(&mut k, l);
            let words: Vec<String> = l
                .split_whitespace()
                .map(|w| w.chars().flat_map(char::to_lowercase).collect())
                .collect();
            assert_eq!(k, words.iter().map(|w| format!("{w} ")).collect::<String>());
            assert_eq!(
                trim_fold_trailing(&k),
                crate::rules::fold_phrase(l),
                "{l:?}"
            );
            let probe = Probe::with_folded(l, l.chars().count(), trim_fold_trailing(&k));
            let plain = Probe::new(l);
            for limit in [0, 3, 10, 40, 70] {
                assert_eq!(
                    probe.more_non_space_chars(limit),
                    plain.more_non_space_chars(limit),
                    "{l:?} {limit}"
                );
            }
            for other in ["share this news", "share this news !!", "12 comments"] {
                assert_eq!(key_is(l, other, &key), key(l) == other, "{l:?} {other:?}");
            }
        }
        let t = content_words("Bridge repairs start in May | City News");
        let mut buf = String::new();
        assert!(shares_words("BRIDGE repairs start", &t, 0.5, &mut buf));
        assert!(!shares_words("Bridge opening hours", &t, 0.5, &mut buf));
        assert!(!shares_words("Menu", &t, 0.5, &mut buf));
        let plain = |s: &str| {
            let w = content_words(s);
            let shared = w.iter().filter(|x| t.contains(x)).count();
            let union = w.len() + t.len() - shared;
            union > 0 && shared as f64 >= 0.5 * union as f64
        };
        for s in [
            "Bridge BRIDGE repairs bridge",
            "Repairs start: bridge, May",
            "City News city news bridge",
            "Bridge repairs start in May, city news",
            "Brücke repairs start",
        ] {
            assert_eq!(shares_words(s, &t, 0.5, &mut buf), plain(s), "{s:?}");
        }
    }

    #[test]
    fn paragraphs_split_at_blank_lines_and_lines_without_them() {
        let (p, blank) = split_paragraphs("a\nb\n\n  \nc\r\n\r\nd");
        assert!(blank);
        assert_eq!(p, vec![vec!["a", "b"], vec!["c"], vec!["d"]]);
        let (p, blank) = split_paragraphs("one\ntwo\r\nthree\n");
        assert!(!blank);
        assert_eq!(p, vec![vec!["one"], vec!["two"], vec!["three"]]);
        assert!(split_paragraphs("\n\n").0.is_empty());
    }

    #[test]
    fn title_and_standfirst_become_metadata() {
        let text = format!(
            "School budget: north gets more money\n\nThe county's budget committee agrees more money for schools in the north.\n\n{P1}\n\n{P2}"
        );
        let page = extract(&text, &rules().text);
        assert_eq!(
            page.meta.title.as_deref(),
            Some("School budget: north gets more money")
        );
        assert_eq!(
            page.meta.description.as_deref(),
            Some("The county's budget committee agrees more money for schools in the north.")
        );
        assert_eq!(view(&page)[0].1, Some(TITLE_RULE));
        assert_eq!(view(&page)[1].1, Some(STANDFIRST_RULE));
        assert_eq!(kept(&page), vec![P1, P2]);
    }

    #[test]
    fn first_paragraph_is_not_eaten_without_a_standfirst() {
        // A short lead paragraph sharing no words with the title stays text.
        let lead = "On Tuesday the committee finally met after weeks of delay.";
        let text = format!("School budget agreed\n\n{lead}\n\n{P1}\n\n{P2}");
        let page = extract(&text, &rules().text);
        assert_eq!(page.meta.title.as_deref(), Some("School budget agreed"));
        assert_eq!(page.meta.description, None);
        assert_eq!(kept(&page)[0], lead);
        // Nor is a one-sentence lede about as long as the paragraphs after it.
        let lede = "The old fish market roof will be replaced over the winter, the harbour board said at its monthly meeting on Monday.";
        let next = "Traders will move to stalls on the north quay while the work is done, and the board says that rents will not rise.";
        let text = format!("Fish market roof to be replaced\n\n{lede}\n\n{next}\n\n{P3}");
        let page = extract(&text, &rules().text);
        assert_eq!(page.meta.description, None);
        assert_eq!(kept(&page), vec![lede, next, P3]);
        // Nor is a subheading that shares the title's words.
        let text = format!(
            "School budget agreed\n\nThe school budget for the north in full\n\n{P1}\n\n{P2}"
        );
        let page = extract(&text, &rules().text);
        assert_eq!(page.meta.description, None);
        assert!(!view(&page).iter().any(|b| b.1 == Some(STANDFIRST_RULE)));
        // A second paragraph shorter than the first is not a standfirst either.
        let text = format!("Budget news for the schools\n\n{P1}\n\n{P3}");
        let page = extract(&text, &rules().text);
        assert_eq!(page.meta.description, None);
        assert_eq!(kept(&page), vec![P1, P3]);
    }

    #[test]
    fn sentences_and_headers_are_not_titles() {
        let page = extract(&format!("{P1}\n\n{P2}"), &rules().text);
        assert_eq!(page.meta.title, None);
        assert_eq!(kept(&page), vec![P1, P2]);
        let page = extract(&format!(" date 2024-01-04 \n\n{P1}\n\n{P2}"), &rules().text);
        assert_eq!(page.meta.title, None);
        let page = extract(&format!("Skip to content\n\n{P1}\n\n{P2}"), &rules().text);
        assert_eq!(page.meta.title, None);
    }

    #[test]
    fn title_loses_the_site_name() {
        let paras = vec![
            vec!["Big news today | The Daily"],
            vec!["Home", "Big news today"],
        ];
        assert_eq!(clean_title(paras[0][0], &paras), "Big news today");
        let paras = vec![vec!["Why prices rose - Market Watch Weekly Online"]];
        assert_eq!(
            clean_title(paras[0][0], &paras),
            "Why prices rose - Market Watch Weekly Online"
        );
        let paras = vec![vec!["How the city plans to fix its old bridges – Metro"]];
        assert_eq!(
            clean_title(paras[0][0], &paras),
            "How the city plans to fix its old bridges"
        );
        // The part the page repeats as its heading wins, however short.
        let paras = vec![vec!["Pods | Kubernetes"], vec!["Docs", "Pods"]];
        assert_eq!(clean_title(paras[0][0], &paras), "Pods");
        let paras = vec![
            vec!["Headlamps | REI Co-op"],
            vec!["REI Co-op", "Headlamps"],
        ];
        assert_eq!(clean_title(paras[0][0], &paras), "Headlamps");
        // The last part is the site name even when the page repeats only that.
        let paras = vec![
            vec!["The Ultimate Checklist | Bridgestone Tires"],
            vec!["Bridgestone Tires"],
        ];
        assert_eq!(clean_title(paras[0][0], &paras), "The Ultimate Checklist");
    }

    #[test]
    fn the_heading_over_the_content_refines_the_title() {
        let text = format!("Best cameras 2026: our picks | Site\n\nHome\nReviews\n\nThe Best Cameras of 2026: Our Picks\n\nBy Jo Doe\n\n{P1}\n\n{P2}");
        let page = extract(&text, &rules().text);
        assert_eq!(
            page.meta.title.as_deref(),
            Some("The Best Cameras of 2026: Our Picks")
        );
        // Nothing like the title near the content: the cleaned title line stays.
        let text = format!("Budget news | Site\n\nHome\nReviews\n\n{P1}\n\n{P2}");
        let page = extract(&text, &rules().text);
        assert_eq!(page.meta.title.as_deref(), Some("Budget news"));
    }

    #[test]
    fn lines_are_classified_from_their_signals() {
        let c = rules().text;
        let body = vec![
            vec![P1],
            vec!["Home", "Sports"],
            vec!["Share this"],
            vec!["The new budget for schools in the north"],
        ];
        let lines = analyse(&body, &c);
        let classes: Vec<Class> = lines.iter().map(|l| line_score(l, &c.cfg).0).collect();
        assert_eq!(
            classes,
            vec![
                Class::Good,
                Class::Chrome,
                Class::Short,
                Class::Chrome,
                Class::NearGood
            ]
        );
        assert_eq!(lines[1].rule.as_deref(), Some("text-nav"));
        assert_eq!(lines[3].rule.as_deref(), Some("text-share-widget"));
        // Prose needs stop words: a list of names is not prose however long.
        let body = vec![
            vec![P1],
            vec!["Anna Berger, Carl Dietz, Emma Fischer, Georg Huber, Ida Jansen, Karl Lang"],
        ];
        let lines = analyse(&body, &c);
        assert_eq!(line_score(&lines[1], &c.cfg).0, Class::Short);
        // On a page in a language without a list, the density test is skipped.
        let body = vec![vec![
            "Kedden a bizottság elfogadta az új költségvetést az északi iskolák számára.",
        ]];
        let lines = analyse(&body, &c);
        assert_eq!(line_score(&lines[0], &c.cfg).0, Class::Good);
    }

    #[test]
    fn repeated_short_lines_are_not_prose() {
        let c = rules().text;
        let body = vec![
            vec!["Our latest news and stories"],
            vec![P1],
            vec!["Our latest news and stories"],
        ];
        let lines = analyse(&body, &c);
        assert_eq!(lines[0].repeats, 2);
        assert_eq!(line_score(&lines[0], &c.cfg).0, Class::Short);
    }

    #[test]
    fn menus_and_footers_go_headings_and_lists_inside_stay() {
        let menu = "Home\nNews\nSport\nWeather\nCulture\nTravel\nVideo\nAbout";
        let text = format!(
            "Page title here | Site\n\n{menu}\n\nCouncil backs school plan\n\n{P1}\n\nWhat happens next\n\n{P2}\n\nRoof repairs\nNew heating\nMore classrooms\n\n{P3}\n\nRelated articles\n\nSchools in the south get new buses\nCouncil elections set for May\n\nAbout us\nContact\nPrivacy policy\n© 2024 The Daily"
        );
        let page = extract(&text, &rules().text);
        assert_eq!(
            kept(&page),
            vec![
                P1,
                "What happens next",
                P2,
                "Roof repairs\nNew heating\nMore classrooms",
                P3
            ],
            "{:#?}",
            view(&page)
        );
        // Chrome lines are named by the rule that matched them.
        assert!(view(&page).contains(&("Related articles", Some("text-related"))));
        assert!(view(&page).contains(&(
            "Schools in the south get new buses\nCouncil elections set for May",
            Some(CLASSIFIER_RULE)
        )));
        // A kept one-line block before prose reads as a heading.
        let heading = page
            .blocks
            .iter()
            .find(|b| b.text == "What happens next")
            .unwrap();
        assert_eq!(heading.kind, BlockKind::Heading(2));
    }

    /// A whole-page dump of a news article: menu, share widget, related headlines, footer.
    fn news_dump() -> String {
        format!(
            "Schools get more money | The Daily\n\nHome\nNews\nSport\nWeather\nCulture\nSubscribe\n\nSchools get more money\n\nBy Jane Smith\n12 March 2024\n\n{P1}\n\n{P2}\n\n{P3}\n\nShare on Facebook\nShare on X\n\nMost read\nCouncil elections set for May\nNew buses for the south\n\nAbout us\nContact\nCareers\nTerms of use\n© 2024 The Daily"
        )
    }

    /// A user's `[text.model]` of kind "trees": a small hand-made forest (a baseline,
    /// then stumps on the hand-weighted region, prose and shortness) is read from the
    /// config and decides; the article stays, the menu and footer go as the classifier's.
    #[test]
    fn a_tree_model_from_the_config_keeps_the_article_and_drops_the_chrome() {
        let user = r#"
[text.model]
kind = "trees"
keep_threshold = 0.5
add_threshold = 0.5
features = ["base_keep", "good", "short"]
trees = ["-1", "0:0.5:1:2 -2 1.5", "1:0.5:1:2 -0.5 1", "2:0.5:1:2 0.5 -1"]
"#;
        // The extra features are the last ones, so the shipped model can skip them.
        assert_eq!(MODEL_FEATURES[N_FEATURES - N_EXTRA], "caps_words");
        let rules = Rules::from_sources(Some(("user.toml", user))).unwrap();
        let c = &rules.text;
        assert!(c.model.as_ref().is_some_and(|m| !m.uses_extra));
        assert!(Rules::defaults().text.model.is_some_and(|m| !m.uses_extra));
        assert!(matches!(
            c.model.as_ref().map(|m| &m.form),
            Some(ModelForm::Trees(_))
        ));
        let page = extract(&news_dump(), c);
        let kept = kept(&page).join("\n");
        for p in [P1, P2, P3] {
            assert!(kept.contains(p), "{:#?}", view(&page));
        }
        for chrome in ["Sport", "Subscribe", "Careers", "© 2024"] {
            assert!(!kept.contains(chrome), "{chrome}: {:#?}", view(&page));
        }
        let v = view(&page);
        assert!(
            v.iter()
                .any(|(t, r)| t.contains("Careers") && *r == Some(CLASSIFIER_RULE)),
            "{v:#?}"
        );
        // A forest that favours short lines keeps the menu: the trees decide, not the
        // hand-weighted regions.
        let short = user.replace("0.5 -1", "0.5 4");
        let rules = Rules::from_sources(Some(("user.toml", &short))).unwrap();
        let page = extract(&news_dump(), &rules.text);
        assert!(kept_has(&page, "Sport"), "{:#?}", view(&page));
    }

    fn kept_has(page: &TextPage, s: &str) -> bool {
        page.blocks
            .iter()
            .any(|b| b.is_kept() && b.text.contains(s))
    }

    /// The errors loading `user` as `user.toml` gives, as one string.
    fn config_errors(user: &str) -> String {
        match Rules::from_sources(Some(("user.toml", user))) {
            Ok(_) => panic!("{user} loads"),
            Err(errs) => format!("{errs:?}"),
        }
    }

    /// A malformed forest is a config error that names the key, the tree and the node.
    #[test]
    fn a_malformed_tree_is_a_config_error_naming_the_key() {
        for (trees, want) in [
            (
                r#"["-1", "0:0.5:1:9 1 2"]"#,
                "[text.model] trees[1] node 0: child `9`",
            ),
            (
                r#"["-1", "5:0.5:1:2 1 2"]"#,
                "[text.model] trees[1] node 0: feature index `5`",
            ),
        ] {
            let user =
                format!("[text.model]\nkind = \"trees\"\nfeatures = [\"good\"]\ntrees = {trees}\n");
            let msg = config_errors(&user);
            assert!(msg.contains(want) && msg.contains("user.toml"), "{msg}");
        }
        let user = "[text.model]\nkind = \"trees\"\nfeatures = [\"colour\"]\ntrees = [\"1\"]\n";
        let msg = config_errors(user);
        assert!(msg.contains("unknown feature `colour`"), "{msg}");
    }

    /// A whole-page dump of a news article (menu, share widget, related headlines,
    /// footer): the shipped model keeps the article and drops the chrome, and agrees
    /// with the hand-weighted regions here.
    #[test]
    fn the_line_model_keeps_the_article_and_drops_menu_and_footer() {
        let text = news_dump();
        let c = rules().text;
        assert!(c.model.is_some(), "the shipped config has a model");
        let page = extract(&text, &c);
        let kept = kept(&page).join("\n");
        for p in [P1, P2, P3] {
            assert!(kept.contains(p), "{:#?}", view(&page));
        }
        for chrome in [
            "Sport",
            "Subscribe",
            "Council elections",
            "Careers",
            "© 2024",
        ] {
            assert!(!kept.contains(chrome), "{chrome}: {:#?}", view(&page));
        }
        // What the model drops is named as the classifier's.
        let v = view(&page);
        assert!(v.contains(&("Careers", Some(CLASSIFIER_RULE))), "{v:#?}");
        assert!(v.contains(&(
            "Council elections set for May\nNew buses for the south",
            Some(CLASSIFIER_RULE)
        )));
        // Off, the hand-weighted regions decide: the same article.
        let mut cfg = Rules::defaults().config.text;
        cfg.model.enabled = false;
        let off = Compiled::new(&cfg, &|_| true).unwrap();
        assert!(off.model.is_none());
        let page_off = extract(&text, &off);
        for p in [P1, P2, P3] {
            assert!(page_off
                .blocks
                .iter()
                .any(|b| b.is_kept() && b.text.contains(p)));
        }
    }

    #[test]
    fn a_second_strong_region_is_kept_a_weak_one_is_not() {
        let junk = (0..15)
            .map(|i| format!("Link {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let p4 = "A second report, published on Friday, found that the roads in the south of the county had also been left without repairs for many years.";
        let p5 = "Its authors asked the council to set aside money for them as well, and to publish a list of the streets that would be repaired first.";
        let text = format!("{P1}\n\n{P2}\n\n{P3}\n\n{junk}\n\n{p4}\n\n{p5}\n\n{junk}\n\nThat is all there is to it, we are told.");
        let page = extract(&text, &rules().text);
        let k = kept(&page);
        assert_eq!(k, vec![P1, P2, P3, p4, p5], "{:#?}", view(&page));
    }

    #[test]
    fn a_picker_dumped_on_one_line_goes_as_a_list_dump() {
        // A country picker flattened to one long line after the article: long enough
        // to pass for a paragraph, but with no sentence end in 1,000+ chars.
        let countries = "Afghanistan Albania Algeria Andorra Angola Argentina Armenia Australia \
            Austria Azerbaijan Bahamas Bahrain Bangladesh Barbados Belarus Belgium Belize Benin";
        let picker = format!("Select your country {}", [countries; 8].join(" "));
        assert!(picker.len() > 1000);
        let text = format!("{P1}\n\n{P2}\n\n{P3}\n\n{picker}\n\nContact us");
        let page = extract(&text, &rules().text);
        assert_eq!(kept(&page), vec![P1, P2, P3], "{:#?}", view(&page));
        assert!(page
            .blocks
            .iter()
            .any(|b| b.text == picker && b.removed_by.as_deref() == Some(LIST_DUMP_RULE)));
        // Disabled by name, the line is left to the classifier.
        let r = Rules::from_sources(Some(("t.toml", "disable = [\"text-list-dump\"]"))).unwrap();
        let page = extract(&text, &r.text);
        let b = page.blocks.iter().find(|b| b.text == picker).unwrap();
        assert_eq!(b.removed_by.as_deref(), Some(CLASSIFIER_RULE));
    }

    #[test]
    fn long_prose_and_unspaced_scripts_are_not_list_dumps() {
        let cfg = TextConfig::default();
        let dump = |s: &str| is_list_dump(s, s.chars().count(), &cfg);
        let prose = [P1, P2, P3, P1, P2, P3, P1, P2].join(" ");
        assert!(prose.len() > 1000 && !dump(&prose));
        // The limit is half a sentence end per 1,000 chars: one end in 1,400 chars
        // is already too many for a list (prose has a dozen).
        let words =
            "Beverly Hills Los Angeles Irvine Pasadena Monrovia Glendale Burbank ".repeat(20);
        assert!(dump(&words));
        assert!(!dump(&format!("{}. {}", &words[..700], &words[..700])));
        // Thai is written without spaces between words and often without full stops.
        let thai = "ภาษาไทยเป็นภาษาที่เขียนโดยไม่เว้นวรรคระหว่างคำ ".repeat(30);
        assert!(thai.chars().count() > 1000 && !dump(&thai));
        // Shorter than `list_dump_min_chars`: never.
        assert!(!dump(&words[..900]));
    }

    #[test]
    fn an_article_dumped_twice_is_kept_once() {
        // A page with tabs (or a mobile copy) flattened: the article comes two times.
        let body = format!("{P1}\n\n{P2}\n\n{P3}");
        let text =
            format!("Home\nNews\nSport\n\n{body}\n\nShare this\n\n{body}\n\nContact\nImprint");
        let page = extract(&text, &rules().text);
        assert_eq!(kept(&page), vec![P1, P2, P3], "{:#?}", view(&page));
        let dups = page
            .blocks
            .iter()
            .filter(|b| b.removed_by.as_deref() == Some(DUPLICATE_RULE))
            .count();
        assert_eq!(dups, 3);
        // Disabled, both copies stay.
        let r = Rules::from_sources(Some(("t.toml", "disable = [\"text-duplicate\"]"))).unwrap();
        let page = extract(&text, &r.text);
        assert_eq!(kept(&page), vec![P1, P2, P3, P1, P2, P3]);
    }

    #[test]
    fn a_page_without_a_body_keeps_its_prose_span() {
        // A listing: short items with a one-line blurb each; no run of prose stands out.
        let items = (0..30)
            .map(|i| format!("Item {i}\n$ {i}.99\nA plain cotton shirt, number {i}, that is made in the town."))
            .collect::<Vec<_>>()
            .join("\n\n");
        let text = format!("Shop\nCart\nLogin\nWomen\nMen\nKids\n\nNew arrivals\n\n{items}\n\nStores\nCareers\nHelp\nGift cards");
        let page = extract(&text, &rules().text);
        let k = kept(&page);
        // From one line (`weak_page_margin`) before the first prose line to one after the last.
        assert_eq!(
            k.first(),
            Some(&"$ 0.99\nA plain cotton shirt, number 0, that is made in the town."),
            "{:#?}",
            view(&page)
        );
        assert!(k.contains(
            &"Item 7\n$ 7.99\nA plain cotton shirt, number 7, that is made in the town."
        ));
        assert_eq!(k.last(), Some(&"Stores"));
        assert!(!k
            .iter()
            .any(|b| b.contains("New arrivals") || b.contains("Careers")));
    }

    #[test]
    fn the_run_under_the_title_heading_beats_a_longer_policy() {
        // A product page dump: the description under the product's own heading, then a
        // privacy notice (a hidden modal) that is longer than the description.
        let desc = "A light pack for long days on the trail, with a padded back panel and a rain cover that lives in its own pocket.";
        let policy = "We process the personal information that you give us when you place an order, and we keep it for as long as the law requires us to do so.";
        let policy = [policy; 8].join("\n\n");
        let menu = "Shop\nPacks\nTents\nSale";
        let footer = (0..20)
            .map(|i| format!("Store {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let page = |heading: &str| {
            let text = format!("Trail Pack 25 | Outdoor Shop\n\n{menu}\n\n{heading}\n\n{desc}\n\n{desc}\n\n{footer}\n\n{policy}");
            extract(&text, &rules().text)
        };
        let with = page("Trail Pack 25");
        assert!(kept(&with).contains(&desc), "{:#?}", view(&with));
        // Without the heading the longer run wins alone.
        let without = page("Details");
        assert!(!kept(&without).contains(&desc), "{:#?}", view(&without));
    }

    #[test]
    fn a_longer_cookie_notice_does_not_win_over_the_description() {
        // A product dump without the product's heading: a short description, then a
        // cookie banner (hidden in the page, flattened into the dump) that is longer.
        let desc = "A light pack for long days on the trail, with a padded back panel and a rain cover that lives in its own pocket.";
        let cookie = "We and our partners use cookies to personalise advertising and to measure traffic, and you can change your preferences at any time.";
        let cookies = [cookie; 6].join("\n\n");
        let footer = (0..20)
            .map(|i| format!("Store {i}"))
            .collect::<Vec<_>>()
            .join("\n");
        let text = format!(
            "Outdoor Shop\n\nShop\nPacks\nSale\n\n{desc}\n\n{desc}\n\n{footer}\n\n{cookies}"
        );
        let page = extract(&text, &rules().text);
        assert!(kept(&page).contains(&desc), "{:#?}", view(&page));
        assert!(!kept(&page).contains(&cookie), "{:#?}", view(&page));
        // Without the policy words the banner, the longest run, is kept as content.
        let r = Rules::from_sources(Some(("u.toml", "[text]\npolicy_min_hits = 0\n"))).unwrap();
        let page = extract(&text, &r.text);
        assert!(kept(&page).contains(&cookie), "{:#?}", view(&page));
    }

    #[test]
    fn disclaimers_and_foreign_privacy_notices_count_as_policy_text() {
        // Lines seen right after the article in whole-page dumps: a financial
        // disclaimer, a terms clause, a German consent notice; and a news sentence that
        // uses one of the words in passing.
        let c = &rules().text;
        let hits = |s: &str| analyse(&[vec![s]], c)[0].policy;
        let min = c.cfg.policy_min_hits;
        for s in [
            "This material is not intended to replace the advice of a qualified advisor. Information has been obtained from sources believed to be reliable.",
            "You may not use, and may not authorize any third party to use, this service in any manner that breaches this agreement.",
            "Mit der Nutzung dieser Website stimmen Sie unserer Datenschutzerklärung und der Einwilligung in die Verarbeitung Ihrer Daten zu.",
        ] {
            assert!(hits(s) >= min, "{s}: {}", hits(s));
        }
        let news = "The doctor gave her advice on how to sleep better, and she followed it for a month before the next visit.";
        assert!(hits(news) < min, "{}", hits(news));
    }

    #[test]
    fn a_spec_table_at_the_edge_of_the_content_stays() {
        let desc = "A light pack for long days on the trail, with a padded back panel and a rain cover that lives in its own pocket.";
        let specs = "Weight: 1.2 kg\nVolume: 25 l\nMaterial: Recycled nylon";
        let footer = "Help\nReturns\nStores\nCareers\nGift cards";
        let more = "The hip belt carries most of the load, and its two zipped pockets hold a phone, a map and a bar for the way back down.";
        let text = format!("Trail Pack 25 | Outdoor Shop\n\nShop\nPacks\nTents\n\n{desc}\n\n{more}\n\n{specs}\n\n{footer}");
        let page = extract(&text, &rules().text);
        assert_eq!(kept(&page), vec![desc, more, specs], "{:#?}", view(&page));
        assert!(is_key_value("Screen size: 13.8 in"));
        for not in ["Home", "12:30 PM", "See https://example.com", "Note: "] {
            assert!(!is_key_value(not), "{not}");
        }
    }

    #[test]
    fn a_page_without_a_body_starts_at_its_heading() {
        // The same listing, with a promotion banner (prose) above the menu and the heading.
        let items = (0..30)
            .map(|i| format!("Item {i}\n$ {i}.99\nA plain cotton shirt, number {i}, that is made in the town."))
            .collect::<Vec<_>>()
            .join("\n\n");
        let banner =
            "Free delivery on every order over fifty pounds, and free returns for a whole month.";
        let text = format!("New arrivals | Shop\n\n{banner}\n\nShop\nCart\nLogin\n\nNew arrivals\n\n{items}\n\nStores\nCareers\nHelp");
        let page = extract(&text, &rules().text);
        let k = kept(&page);
        assert!(!k.contains(&banner), "{:#?}", view(&page));
        assert!(k.contains(&"New arrivals"), "{:#?}", view(&page));
        assert!(k.contains(
            &"Item 0\n$ 0.99\nA plain cotton shirt, number 0, that is made in the town."
        ));
    }

    /// The definition `maximal_runs` implements, by recursion: the best run, then the
    /// best runs left and right of it.
    fn reference_runs(scores: &[f64], from: usize, to: usize, out: &mut Vec<(f64, usize, usize)>) {
        let mut best: Option<(f64, usize, usize)> = None;
        let (mut cur, mut start) = (0.0, from);
        for (i, &x) in scores.iter().enumerate().take(to).skip(from) {
            if cur <= 0.0 {
                cur = x;
                start = i;
            } else {
                cur += x;
            }
            match best {
                Some(b) if cur <= b.0 => {}
                _ => best = Some((cur, start, i)),
            }
        }
        if let Some((s, a, b)) = best.filter(|b| b.0 > 0.0) {
            reference_runs(scores, from, a, out);
            out.push((s, a, b));
            reference_runs(scores, b + 1, to, out);
        }
    }

    #[test]
    fn maximal_runs_match_their_definition() {
        let s = [-5.0, 10.0, -3.0, 10.0, -100.0, 8.0, -1.0];
        assert_eq!(maximal_runs(&s), vec![(17.0, 1, 3), (8.0, 5, 5)]);
        assert!(maximal_runs(&[-1.0, -2.0]).is_empty());
        assert!(maximal_runs(&[]).is_empty());
        // Pseudo-random sequences (integers, so sums are exact).
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for len in 0..300 {
            let scores: Vec<f64> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 41) as f64 - 22.0
                })
                .collect();
            let mut want = Vec::new();
            reference_runs(&scores, 0, scores.len(), &mut want);
            let got = maximal_runs(&scores);
            // Ties may be split differently; the scores of the runs must agree.
            let key = |v: &[(f64, usize, usize)]| {
                let mut k: Vec<i64> = v.iter().map(|r| r.0 as i64).collect();
                k.sort_unstable();
                k
            };
            assert_eq!(key(&got), key(&want), "{scores:?}");
        }
    }

    #[test]
    fn many_runs_take_linear_time() {
        // 200,000 lines alternating prose and chrome: 100,000 runs of equal score.
        let scores: Vec<f64> = (0..200_000)
            .map(|i| if i % 2 == 0 { 300.0 } else { -400.0 })
            .collect();
        let t = std::time::Instant::now();
        assert_eq!(maximal_runs(&scores).len(), 100_000);
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn stop_words_name_a_clear_language_without_whatlang() {
        // 100 words, 30 English stop words against 12 German ones: clear.
        let mut hits = vec![0; STOP_WORDS.len()];
        hits[0] = 30;
        hits[1] = 12;
        assert!(clear_stop_word_language(&hits, 100));
        // Spanish and Portuguese close together: whatlang decides.
        hits = vec![0; STOP_WORDS.len()];
        hits[3] = 30;
        hits[4] = 25;
        assert!(!clear_stop_word_language(&hits, 100));
        // Too few stop words (a language without a list), or too few words.
        hits = vec![0; STOP_WORDS.len()];
        hits[0] = 10;
        assert!(!clear_stop_word_language(&hits, 100));
        hits[0] = 30;
        assert!(!clear_stop_word_language(&hits, 40));
    }

    #[test]
    fn german_and_cjk_pages_find_their_prose() {
        let de = "Die Gemeinde hat am Dienstag beschlossen, dass die Schulen im Norden mehr Geld bekommen, weil die Gebäude in einem schlechten Zustand sind.";
        let de2 = "Der Plan geht nun an den Rat, der im März darüber abstimmen soll, nachdem die Bürger sechs Wochen lang ihre Meinung sagen konnten.";
        let text =
            format!("Startseite\nNachrichten\nKontakt\n\n{de}\n\n{de2}\n\nImpressum\nDatenschutz");
        let page = extract(&text, &rules().text);
        assert_eq!(kept(&page), vec![de, de2]);
        let zh = "委员会星期二开会讨论了新的预算，并且同意北部的学校明年应该得到更多的资金，这是大家都关心的问题。";
        let zh2 = "这个计划现在将交给全体议会，议会预计在三月进行投票，在此之前会有为期六周的公众咨询，让市民表达他们的意见。";
        let text = format!("首页\n新闻\n联系我们\n\n{zh}\n\n{zh2}\n\n版权所有");
        let page = extract(&text, &rules().text);
        assert_eq!(kept(&page), vec![zh, zh2], "{:#?}", view(&page));
    }

    #[test]
    fn classifier_can_be_disabled() {
        let r = Rules::from_sources(Some((
            "u.toml",
            "disable = [\"text-classifier\", \"text-title\"]\n",
        )))
        .unwrap();
        let page = extract("Home\n\nTitle line here\n\nSome text.", &r.text);
        assert_eq!(kept(&page), vec!["Home", "Title line here", "Some text."]);
    }

    #[test]
    fn validate_reports_ranges() {
        let cfg = TextConfig {
            stopword_density: 1.5,
            line_cost: -1.0,
            standfirst_min_chars: 500,
            ..TextConfig::default()
        };
        let errs = cfg.validate();
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(TextConfig::default().validate().is_empty());
    }

    #[test]
    fn an_unknown_model_feature_is_a_config_error_naming_it() {
        let mut cfg = TextConfig::default();
        cfg.model.weights.insert("line_colour".into(), 1.0);
        cfg.model.add_threshold = 1.0;
        let errs = cfg.validate();
        assert!(errs.iter().any(|e| e.contains("`line_colour`")), "{errs:?}");
        assert!(errs.iter().any(|e| e.contains("add_threshold")), "{errs:?}");
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn defaults_match_the_shipped_config() {
        let shipped = Rules::defaults().config.text;
        let d = TextConfig::default();
        assert_eq!(
            format!(
                "{:?}",
                TextConfig {
                    rules: vec![],
                    ..shipped
                }
            ),
            format!("{d:?}")
        );
    }

    #[test]
    fn huge_and_odd_pages_do_not_panic() {
        let c = rules().text;
        let big = "word\n".repeat(30_000) + &format!("\n\n{P1}\n\n").repeat(3_000);
        let page = extract(&big, &c);
        assert!(!page.blocks.is_empty());
        let one_line = "the word of a very long line ".repeat(70_000);
        let t = std::time::Instant::now();
        let page = extract(&format!("Title here\n\n{one_line}\n\n{P1}"), &c);
        assert!(page.blocks.iter().any(|b| b.is_kept()));
        assert!(t.elapsed() < std::time::Duration::from_secs(20));
        for odd in [
            "",
            "\n\n\n",
            "…",
            "\u{FEFF}x",
            "a\n\n\n\n",
            "。\n\n、",
            "* \n\n# ",
        ] {
            extract(odd, &c);
        }
    }

    fn seed(text: &str) -> crate::record::Record {
        let rules = rules();
        let input = crate::PageInput {
            source: "seed.txt",
            bytes: text.as_bytes(),
            kind_hint: Some(crate::decode::ContentKind::Text),
            ..Default::default()
        };
        crate::process_page(&rules, &input).record
    }

    #[test]
    fn seed_000_title_standfirst_and_widget() {
        let r = seed(include_str!("../fixtures/seeds/000_7168fac909374ef1.txt"));
        assert_eq!(
            r.title.as_deref(),
            Some("White House reveals North Korea’s missile transfer to Russia")
        );
        assert_eq!(
            r.description.as_deref(),
            Some("The White House declassifies information regarding North Korea’s involvement in Russia’s conflict with Ukraine.")
        );
        assert!(
            r.text
                .starts_with("The White House announced that North Korea had supplied Russia"),
            "{}",
            r.text
        );
        assert!(
            r.text
                .ends_with("through diplomatic channels and the imposition of sanctions."),
            "{}",
            r.text
        );
        for gone in [
            "Share this news",
            "votes",
            "Article Rating",
            "Notify of",
            "View all comments",
            "declassifies",
        ] {
            assert!(!r.text.contains(gone), "{gone}");
        }
        assert_eq!(r.text.split("\n\n").count(), 7);
    }

    #[test]
    fn seed_001_date_header_and_disclaimer() {
        let r = seed(include_str!("../fixtures/seeds/001_5a44c996ef60cde8.txt"));
        assert_eq!(r.date.as_deref(), Some("2024-01-04"));
        assert!(
            r.text.starts_with("White House claimed on Thursday"),
            "{}",
            r.text
        );
        assert!(
            r.text.ends_with("at cities across Ukraine since Friday."),
            "{}",
            r.text
        );
        assert!(!r.text.contains("2024-01-04"));
        assert!(!r.text.contains("Disclaimer"));
        assert!(!r.text.contains("WION"));
        assert_eq!(r.text.split("\n\n").count(), 8);
    }
}
