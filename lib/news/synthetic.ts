/**
 * The synthetic catalogue: deterministic filler articles that extend the hand-written ones when
 * CATALOGUE_SIZE asks for more (load tests want 10,000; the codec is tested at 100,000).
 *
 * Articles are generated on demand from (seed, seq) alone, never held in memory as a whole, so a
 * 100,000-article catalogue costs nothing until it is read, and every instance agrees on every
 * article. Ids look like `wire-12345-harbour-council-backs-tram-plan` so the seq can be read back.
 */
import { SECTIONS, type Article, type Section, readingMinutesFor } from "./article";
import { hash32, pick, prng } from "./random";

export const SYNTHETIC_ID_PREFIX = "wire-";
/** Synthetic stories follow the hand-written ones, one every 20 seconds of a fictional wire. */
const WIRE_START_MS = Date.parse("2026-10-21T00:00:00Z");
const WIRE_INTERVAL_MS = 20_000;

const PLACES = [
  "Port Avelin",
  "Maro Heights",
  "Kestrel Bay",
  "Ostrava Vale",
  "Lindqvist",
  "New Harlow",
  "Sarn Delta",
  "Brightwater",
  "Caldera Springs",
  "Tovik",
  "Elmsgate",
  "Rivenholm",
];
const PEOPLE = [
  "Ines Varga",
  "Tomas Okafor",
  "Mei Lindgren",
  "Rafael Duarte",
  "Anouk Peeters",
  "Sami Haddad",
  "Lena Kowalczyk",
  "Jonah Mbeki",
  "Priya Raman",
  "Olek Stanev",
];
const AUTHORS = ["Wire Desk", "Hana Solberg", "Marcus Eze", "Clara Fontaine", "Dev Malhotra", "Yara Costa"];

const TOPICS: Record<Section, { subjects: string[]; verbs: string[]; objects: string[] }> = {
  World: {
    subjects: ["Coastal council", "Regional assembly", "Border towns", "Relief agencies", "Island parliament", "Mountain villages"],
    verbs: ["backs", "debates", "delays", "approves", "questions", "revives"],
    objects: ["a new ferry link", "flood defences", "a water-sharing pact", "the census plan", "rail upgrades", "a refugee housing scheme"],
  },
  Business: {
    subjects: ["Grain traders", "A regional bank", "Shipping firms", "Small bakeries", "Battery makers", "Textile mills"],
    verbs: ["brace for", "bet on", "report", "push back on", "cash in on", "warn of"],
    objects: ["higher freight costs", "a record harvest", "new lending rules", "a slower quarter", "cheaper solar panels", "a wage agreement"],
  },
  Technology: {
    subjects: ["An open-source team", "City engineers", "A chip startup", "Hospital IT staff", "Volunteer coders", "A telecom co-op"],
    verbs: ["ship", "test", "roll back", "open up", "audit", "rebuild"],
    objects: ["a faster image decoder", "rural fibre lines", "a privacy dashboard", "an accessible ticket app", "its backup system", "a low-power sensor"],
  },
  Science: {
    subjects: ["Marine biologists", "A student telescope", "Soil researchers", "Glacier surveyors", "A museum lab", "Bird counters"],
    verbs: ["map", "detect", "revisit", "measure", "catalogue", "track"],
    objects: ["a deep-sea vent", "a faint comet", "ancient seed stores", "a shrinking ice shelf", "a rare moth", "a migration route"],
  },
  Sports: {
    subjects: ["A rowing club", "The league leaders", "A teenage sprinter", "Veteran cyclists", "The women's side", "A promoted team"],
    verbs: ["clinch", "chase", "lose", "defend", "reclaim", "salvage"],
    objects: ["the river cup", "a late draw", "the valley title", "a home record", "their first podium", "a playoff spot"],
  },
  Culture: {
    subjects: ["A touring choir", "The city museum", "An indie publisher", "A street theatre troupe", "Local chefs", "A film collective"],
    verbs: ["revive", "celebrate", "premiere", "rescue", "reimagine", "open"],
    objects: ["a forgotten opera", "harbour folk songs", "a debut novel", "a night market", "a silent-film archive", "a ceramics festival"],
  },
};

function randomFor(seed: string, seq: number, stream: string): () => number {
  return prng(hash32(`${seed}:${stream}:${seq}`));
}

/** The section alone, cheap enough to compute for every seq when building section indexes. */
export function syntheticSection(seed: string, seq: number): Section {
  return pick(randomFor(seed, seq, "section"), SECTIONS);
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");
}

export function syntheticArticle(seed: string, seq: number): Article {
  const section = syntheticSection(seed, seq);
  const random = randomFor(seed, seq, "text");
  const topic = TOPICS[section];
  const subject = pick(random, topic.subjects);
  const verb = pick(random, topic.verbs);
  const object = pick(random, topic.objects);
  const place = pick(random, PLACES);
  const person = pick(random, PEOPLE);
  const figure = 2 + Math.floor(random() * 97);
  const title = `${subject} in ${place} ${verb} ${object}`;
  const body = [
    `${subject} in ${place} ${verb} ${object}, according to people briefed on the plans this week. ` +
      `The change affects about ${figure} percent of those involved, and local officials expect the first results within a season.`,
    `"We have talked about this for years; now the numbers finally add up," said ${person}, who has followed the issue closely. ` +
      `Critics in ${pick(random, PLACES)} say the timetable is tight, and a public meeting is planned before anything is final.`,
    `This is a generated wire story (item ${seq}) that fills out the archive for load tests; the hand-written stories carry the real reporting.`,
  ];
  return {
    id: `${SYNTHETIC_ID_PREFIX}${seq}-${slugify(title)}`,
    seq,
    title,
    summary: `${subject} in ${place} ${verb} ${object}; supporters and critics weigh what it means for the ${section.toLowerCase()} pages.`,
    body,
    section,
    author: pick(random, AUTHORS),
    publishedAt: new Date(WIRE_START_MS + seq * WIRE_INTERVAL_MS).toISOString(),
    readingMinutes: readingMinutesFor(body),
    synthetic: true,
  };
}

/** The seq encoded in a synthetic id, or null when the id is not one of ours. */
export function syntheticSeqFromId(id: string): number | null {
  const match = /^wire-(\d{1,7})-/.exec(id);
  return match ? Number(match[1]) : null;
}
