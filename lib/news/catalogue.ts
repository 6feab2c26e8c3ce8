/**
 * The catalogue: the hand-written articles from data/articles.json (seq 1..n, validated at load),
 * extended by the synthetic wire when CATALOGUE_SIZE asks for more. Seqs are dense (1..size), so
 * "every article" is simply the range 1..maxSeq and a section is a bitmap of its seqs.
 */
import handWrittenJson from "../../data/articles.json";
import { processWide } from "../process-wide";
import { SeqSet } from "../seen/seq-set";
import { articleSchema, SECTIONS, type Article, type Section } from "./article";
import type { CandidatePool } from "../seen/feed-selection";
import { syntheticArticle, syntheticSection, syntheticSeqFromId } from "./synthetic";

export const MAX_CATALOGUE_SIZE = 100_000;
const DEFAULT_SEED = "newsroom";

export interface CatalogueOptions {
  /** Total number of articles; default: the hand-written ones only. Smaller values truncate. */
  size?: number;
  seed?: string;
}

export class Catalogue {
  readonly size: number;
  readonly handWrittenCount: number;
  private readonly handWritten: Article[];
  private readonly handWrittenById: Map<string, Article>;
  private readonly sectionMembers = new Map<Section, SeqSet>();

  constructor(
    handWritten: Article[],
    private readonly options: Required<CatalogueOptions>,
  ) {
    this.handWritten = handWritten.slice(0, options.size);
    this.handWrittenCount = this.handWritten.length;
    this.size = options.size;
    this.handWrittenById = new Map(this.handWritten.map((a) => [a.id, a]));
  }

  get maxSeq(): number {
    return this.size;
  }

  get sections(): readonly Section[] {
    return SECTIONS;
  }

  bySeq(seq: number): Article | undefined {
    if (!Number.isInteger(seq) || seq < 1 || seq > this.size) return undefined;
    if (seq <= this.handWrittenCount) return this.handWritten[seq - 1];
    return syntheticArticle(this.options.seed, seq);
  }

  byId(id: string): Article | undefined {
    const handWritten = this.handWrittenById.get(id);
    if (handWritten) return handWritten;
    const seq = syntheticSeqFromId(id);
    if (seq === null || seq <= this.handWrittenCount) return undefined;
    const article = this.bySeq(seq);
    return article?.id === id ? article : undefined;
  }

  sectionOf(seq: number): Section | undefined {
    if (seq < 1 || seq > this.size) return undefined;
    return seq <= this.handWrittenCount ? this.handWritten[seq - 1]!.section : syntheticSection(this.options.seed, seq);
  }

  /** The articles a feed request may choose from: all of them, or one section's. */
  pool(section?: Section): CandidatePool {
    if (!section) return { maxSeq: this.maxSeq };
    const members = this.members(section);
    return { maxSeq: this.maxSeq, members };
  }

  private members(section: Section): SeqSet {
    let members = this.sectionMembers.get(section);
    if (!members) {
      members = SeqSet.empty();
      for (let seq = 1; seq <= this.size; seq++) if (this.sectionOf(seq) === section) members.add(seq);
      this.sectionMembers.set(section, members);
    }
    return members;
  }
}

/** Parses and checks the hand-written catalogue: seqs must be 1..n in order, ids unique. */
export function parseHandWritten(raw: unknown): Article[] {
  const articles = articleSchema.array().min(1).parse(raw);
  const ids = new Set<string>();
  articles.forEach((article, index) => {
    if (article.seq !== index + 1) throw new Error(`data/articles.json: entry ${index} has seq ${article.seq}, expected ${index + 1}`);
    if (ids.has(article.id)) throw new Error(`data/articles.json: duplicate id ${article.id}`);
    ids.add(article.id);
  });
  return articles;
}

export function parseCatalogueSize(value: string | undefined, handWrittenCount: number): number {
  if (value === undefined || value.trim() === "") return handWrittenCount;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > MAX_CATALOGUE_SIZE) {
    throw new Error(`CATALOGUE_SIZE must be a whole number from 1 to ${MAX_CATALOGUE_SIZE}, got "${value}"`);
  }
  return size;
}

export function loadCatalogue(options: CatalogueOptions = {}): Catalogue {
  const handWritten = parseHandWritten(handWrittenJson);
  return new Catalogue(handWritten, {
    size: options.size ?? handWritten.length,
    seed: options.seed ?? DEFAULT_SEED,
  });
}

/** The process-wide catalogue, configured by CATALOGUE_SIZE and CATALOGUE_SEED. */
export function getCatalogue(): Catalogue {
  return processWide("catalogue", () => {
    const handWrittenCount = parseHandWritten(handWrittenJson).length;
    return loadCatalogue({
      size: parseCatalogueSize(process.env.CATALOGUE_SIZE, handWrittenCount),
      seed: process.env.CATALOGUE_SEED || DEFAULT_SEED,
    });
  });
}
