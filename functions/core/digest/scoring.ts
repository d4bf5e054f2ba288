/** Every weight and threshold of the digest engine, in one place. */

/** Relevance (BM25 of a passage against a theme's query). */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** Idf is smoothed as if this many passages used no query term, so a corpus of three articles still scores. */
export const BACKGROUND_PASSAGES = 10;
export const TERM_WEIGHT = 1;
export const TITLE_WORD_WEIGHT = 0.6;
export const DESCRIPTION_WORD_WEIGHT = 0.3;
/** A section heading's words count this many times in each of its passages. */
export const HEADING_BOOST = 3;
/** A passage is about a theme at this score. */
export const RELEVANCE_THRESHOLD = 3;
/** …or at this lower score when it continues a passage of its article that is (same event or section). */
export const CONTINUATION_THRESHOLD = 1.5;

/** A place named in more than this share of passages is the setting of every story, not where one happened. */
export const MAX_PLACE_SHARE = 0.3;
/** Events: the article's first passages carry its lead event. */
export const LEAD_PASSAGES = 2;
/** Where an event happened is said within this many characters of its date or its event word. */
export const VENUE_REACH = 90;
/** An article dating this many events that cannot be one is a round-up: each event is a story of its own. */
export const ROUND_UP_EVENTS = 3;
/** …unless it opens on an event at most this many days before it was published: a report that looks back. */
export const REPORT_DELAY_DAYS = 2;
/** A story's theme: each source's first passage (what happened) counts this many times its best passage. */
export const LEAD_WEIGHT = 2;
/** A story's theme: its score counts this much more when all its sources' headlines name the theme in their main clause. */
export const HEADLINE_THEME_WEIGHT = 0.25;
/** A preview's lede dates what it looks ahead to at most this many days after it was published. */
export const PREVIEW_DAYS = 14;
/** Days a previewed event may run past the first day its preview names (talks from Monday to Wednesday). */
export const PLANNED_EVENT_DAYS = 2;
/** Days apart the reports of one named event of several days can date it (a festival's Friday and Sunday). */
export const EVENT_SPAN_DAYS = 2;
/** …and when this share of its passages dates one, its undated passages are its own remarks (a timeline's intro). */
export const TIMELINE_SHARE = 0.3;
/** An undated article with this many sections is an explainer, split by section; a shorter one is one report. */
export const EXPLAINER_SECTIONS = 5;
/** Sections headed by a time of day ("14:02 — …") that make an article live coverage of one event. */
export const LIVE_ENTRIES = 3;
/** An undated article that says this share of what it says about one theme is about one subject: one candidate. */
export const SINGLE_SUBJECT_SHARE = 0.5;

/** Stories: cosine similarity (TF-IDF over content stems) two story candidates need to merge… */
export const MERGE_SIMILARITY = 0.22;
/** …when both happened on the same date at the same place (they can only be one event). */
export const SAME_EVENT_SIMILARITY = 0.05;
/** …when they lean to different themes and share no event. */
export const OTHER_THEME_SIMILARITY = 0.45;
/** …when one of them names no date (an analysis joining the event it discusses). */
export const UNDATED_SIMILARITY = 0.3;
/** Names (capitalised words) weigh this much more than other words in story vectors. */
export const NAME_WEIGHT = 2;
/** Features used by more than this share of articles say nothing about which story a passage tells. */
export const MAX_FEATURE_SHARE = 0.5;
/** …nor one among the telling words of more than this many candidates (at least `MIN_POSTING`). */
export const MAX_POSTING = 60;
export const MIN_POSTING = 20;
/** Candidates dated the same day are compared with this many next to them. */
export const DAY_NEIGHBOURS = 8;
/** Candidate pairs come from each candidate's most telling features. */
export const CANDIDATE_FEATURES = 20;
/** …of which two must share this many to be compared. */
export const SHARED_FEATURES = 2;

/** Sections and stories. */
export const MAX_STORIES_PER_SECTION = 8;
/** A story must reach this share of its section's best story: an aside does not sit next to the news. */
export const MIN_SHARE_OF_TOP_STORY = 0.15;

/** Summaries. */
export const MAX_SUMMARY_SENTENCES = 4;
export const MAX_SUMMARY_CHARS = 600;
export const MIN_SENTENCE_WORDS = 6;
export const MAX_SENTENCE_WORDS = 60;
/** Two sentences that share this much (content stems, Jaccard) state the same fact. */
export const SAME_FACT_JACCARD = 0.5;
/** Sentence score = centrality + these bonuses. */
export const LEAD_SENTENCE_BONUS = 0.25;
export const PARAGRAPH_OPENER_BONUS = 0.1;
export const EVENT_SENTENCE_BONUS = 0.15;
/** …and this much for each word of the story's theme it uses, up to `MAX_THEME_WORDS`. */
export const THEME_WORD_BONUS = 0.1;
export const MAX_THEME_WORDS = 2;

/** Headlines. */
export const MAX_HEADLINE_CHARS = 90;
export const MIN_HEADLINE_WORDS = 3;
/** A report that dates this many other events looks back: its title heads a story only if it names the place. */
export const LOOK_BACK_EVENTS = 2;
/** A title heads a story only if it uses one of the story's this many most distinctive words. */
export const DISTINCTIVE_STEMS = 8;
/** A section heading heads a story with no place when it uses this many of those words. */
export const HEADING_TERMS = 2;

/** Key facts. */
export const MAX_KEY_FACTS = 8;

/** Syndication: two articles whose 4-word shingle sketches (this many smallest hashes) share this share are copies. */
export const SKETCH_SIZE = 64;
/** …of its first this many words. */
export const SKETCH_WORDS = 400;
export const SYNDICATED_OVERLAP = 0.6;
