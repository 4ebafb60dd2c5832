/**
 * Plots (tyche/plots): each plot rendered from small synthetic draws. The SVG is read with a
 * small tag parser that checks it is well formed (every tag closed, in order) and counts the
 * items of each data mark (the children of Vega's `role-mark` groups: one path per line, one
 * per bar, one per point, one line element per rule); axis titles and site names are looked up
 * among the text elements. Also PNG rendering (magic bytes) and writing files by extension.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import { hpdi } from "../../src/infer/index.js";
import {
  elboHistory,
  forestPlot,
  pairPlot,
  posteriorDensity,
  rankplot,
  savePlot,
  siteElements,
  toPng,
  toSvg,
  traceplot,
  type PlotSpec,
} from "../../src/plots/index.js";

/** What the parser found in an SVG document. */
interface SvgInfo {
  /** Items per data mark type (`line`, `rect`, `symbol`, `rule`, `area`, `text`). */
  marks: Record<string, number>;
  /** The text content of every `<text>` element. */
  texts: string[];
  /** Fill colours of symbol items. */
  symbolFills: string[];
}

/** Parses `svg` (throwing when it is not well formed) and counts the items of its data marks. */
function readSvg(svg: string): SvgInfo {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const marks: Record<string, number> = {};
  const texts: string[] = [];
  const symbolFills: string[] = [];
  const stack: { tag: string; mark: string | null }[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let at = 0;
  for (let m = token.exec(svg); m !== null; m = token.exec(svg)) {
    if (m.index !== at) throw new Error(`SVG: unparsable text at ${at}: ${svg.slice(at, at + 40)}`);
    at = token.lastIndex;
    const [, closing, tag, attrs, selfClosing, text] = m;
    if (text !== undefined) {
      if (stack.at(-1)?.tag === "text" || stack.at(-1)?.tag === "tspan") texts.push(text.replace(/&amp;/g, "&").replace(/&lt;/g, "<"));
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (open?.tag !== tag) throw new Error(`SVG: </${tag}> closes <${open?.tag}>`);
      continue;
    }
    const parent = stack.at(-1);
    if (parent?.mark) {
      marks[parent.mark] = (marks[parent.mark] ?? 0) + 1;
      if (parent.mark === "symbol") symbolFills.push(/\sfill="([^"]*)"/.exec(attrs)?.[1] ?? "");
    }
    const cls = /\sclass="mark-(\w+) role-mark\b/.exec(attrs);
    if (!selfClosing) stack.push({ tag, mark: tag === "g" && cls ? cls[1] : null });
  }
  if (at !== svg.length || stack.length !== 0) throw new Error(`SVG: ${stack.length} unclosed tags (${stack.map((s) => s.tag).join(" ")})`);
  return { marks, texts, symbolFills };
}

const render = async (spec: PlotSpec) => readSvg(await toSvg(spec));

// Two chains of 30 draws: a scalar site and a site of two elements.
const CHAINS = 2;
const DRAWS = 30;
let mu: NDArray;
let theta: NDArray;
beforeAll(() => {
  mu = random.normal(random.key(0), [CHAINS, DRAWS]);
  theta = np.add(random.normal(random.key(1), [CHAINS, DRAWS, 2]), np.array([0, 3]));
});

describe("traceplot", () => {
  it("one row per site element: a density and a trace line per chain, axis titles naming the elements", async () => {
    const svg = await render(traceplot({ mu, theta }));
    expect(svg.marks.line).toBe(3 * 2 * CHAINS);
    for (const title of ["mu", "theta[0]", "theta[1]", "draw", "density", "chain"]) expect(svg.texts).toContain(title);
  });

  it("density: false leaves the traces only; sites selects and orders", async () => {
    const svg = await render(traceplot({ mu, theta }, { sites: ["theta"], density: false }));
    expect(svg.marks.line).toBe(2 * CHAINS);
    expect(svg.texts).not.toContain("mu");
    expect(svg.texts).not.toContain("density");
  });

  it("groupByChain: false reads [draws, ...event] as one chain", async () => {
    const svg = await render(traceplot({ x: np.arange(0, 10) }, { groupByChain: false }));
    expect(svg.marks.line).toBe(2);
  });
});

describe("rankplot", () => {
  it("a rank histogram per chain with `bins` bars, each chain's counts summing to its draws", async () => {
    const spec = rankplot({ mu }, { bins: 6 });
    const svg = await render(spec);
    expect(svg.marks.rect).toBe(CHAINS * 6);
    expect(svg.texts).toContain("rank of mu");
    const values = (spec as { vconcat: { data: { values: { chain: number; count: number }[] } }[] }).vconcat[0].data.values;
    for (let c = 0; c < CHAINS; c++) expect(values.filter((v) => v.chain === c).reduce((s, v) => s + v.count, 0)).toBe(DRAWS);
  });

  it("chains stuck in different places pile their ranks at opposite ends", () => {
    const split = np.concatenate([np.zeros([1, 20]), np.ones([1, 20])], 0);
    const spec = rankplot({ s: np.add(split, np.multiply(0.01, random.normal(random.key(2), [2, 20]))) }, { bins: 2 });
    const values = (spec as { vconcat: { data: { values: { chain: number; start: number; count: number }[] } }[] }).vconcat[0].data.values;
    expect(values.map((v) => v.count)).toEqual([20, 0, 0, 20]);
  });
});

describe("posteriorDensity", () => {
  it("kde: a density area per element, the HPD bar and mean rule, bounds as labels equal to hpdi", async () => {
    const spec = posteriorDensity({ mu, theta }, { prob: 0.8 });
    const svg = await render(spec);
    expect(svg.marks.area).toBe(3);
    expect(svg.marks.rule).toBe(3 * 2);
    expect(svg.marks.text).toBe(3 * 2);
    const [lo, hi] = hpdi(np.reshape(mu, [-1]), 0.8).toArray() as number[];
    expect(svg.texts).toContain(Number(lo.toPrecision(3)).toString());
    expect(svg.texts).toContain(Number(hi.toPrecision(3)).toString());
    expect(svg.texts.some((t) => t.startsWith("80% HPDI ["))).toBe(true);
    for (const name of ["mu", "theta[0]", "theta[1]", "density"]) expect(svg.texts).toContain(name);
  });

  it("hist: bars instead of a density, at most `bins` of them", async () => {
    const svg = await render(posteriorDensity({ mu }, { kind: "hist", bins: 8 }));
    expect(svg.marks.area).toBeUndefined();
    expect(svg.marks.rect).toBeGreaterThan(2);
    expect(svg.marks.rect).toBeLessThanOrEqual(8 + 2);
    expect(svg.texts).toContain("count");
  });
});

describe("pairPlot", () => {
  it("two scalar elements: one scatter with a point per draw, the elements as axis titles", async () => {
    const svg = await render(pairPlot({ theta }));
    expect(svg.marks.symbol).toBe(CHAINS * DRAWS);
    expect(svg.texts).toContain("theta[0]");
    expect(svg.texts).toContain("theta[1]");
  });

  it("three elements: a grid of six scatters and three histograms; divergent draws in red", async () => {
    const diverging = np.less(random.uniform(random.key(3), [CHAINS, DRAWS]), 0.2);
    const numDivergent = (np.sum(np.astype(diverging, "float32")).item() as number) | 0;
    const svg = await render(pairPlot({ mu, theta }, { diverging, bins: 5 }));
    expect(svg.marks.symbol).toBe(6 * CHAINS * DRAWS);
    expect(svg.marks.rect).toBeGreaterThanOrEqual(3);
    expect(svg.symbolFills.filter((f) => f === "red").length).toBe(6 * numDivergent);
    expect(svg.texts).toContain("divergent");
  });

  it("errors name the problem: a single element, a diverging array of the wrong size", () => {
    expect(() => pairPlot({ mu })).toThrow(/at least two scalar elements.*mu/);
    expect(() => pairPlot({ theta }, { diverging: np.zeros([7]) })).toThrow(/diverging has 7 entries.*60 draws/);
  });
});

describe("forestPlot", () => {
  it("per element and chain: an outer and an inner interval and a median point", async () => {
    const spec = forestPlot({ mu, theta });
    const svg = await render(spec);
    expect(svg.marks.rule).toBe(3 * CHAINS * 2);
    expect(svg.marks.symbol).toBe(3 * CHAINS);
    for (const name of ["mu", "theta[0]", "theta[1]", "value"]) expect(svg.texts).toContain(name);
    const rows = (spec as { data: { values: { name: string; chain: string; lo: number; hi: number }[] } }).data.values;
    const row = rows.find((r) => r.name === "theta[1]" && r.chain === "1")!;
    const [lo, hi] = hpdi(np.slice(theta, [1, 0, 1], [2, DRAWS, 2]).dataSync().slice(), 0.9).toArray() as number[];
    expect([row.lo, row.hi]).toEqual([lo, hi]);
  });

  it("combined: one line per element", async () => {
    const svg = await render(forestPlot({ mu, theta }, { combined: true, prob: 0.95 }));
    expect(svg.marks.rule).toBe(3 * 2);
    expect(svg.marks.symbol).toBe(3);
    expect(svg.texts.some((t) => t.includes("95% HPDI"))).toBe(true);
  });
});

describe("elboHistory", () => {
  const losses = np.add(np.divide(50, np.arange(1, 41)), random.normal(random.key(4), [40]));

  it("one line of the finite losses against the step; smoothing adds a second", async () => {
    const withNaN = np.where(np.equal(np.arange(0, 40), 5), NaN, losses);
    const spec = elboHistory(withNaN);
    expect((spec as { data: { values: unknown[] } }).data.values).toHaveLength(39);
    const svg = await render(spec);
    expect(svg.marks.line).toBe(1);
    expect(svg.texts).toContain("step");
    expect(svg.texts).toContain("loss (−ELBO)");
    expect((await render(elboHistory(losses, { smoothing: 5 }))).marks.line).toBe(2);
  });

  it("several named fits: one line each and a legend", async () => {
    const svg = await render(elboHistory({ adam: losses, sgd: np.multiply(losses, 2) }));
    expect(svg.marks.line).toBe(2);
    expect(svg.texts).toContain("adam");
    expect(svg.texts).toContain("sgd");
  });

  it("a log scale needs positive losses", () => {
    expect(() => elboHistory(np.array([3, -1]), { yScale: "log" })).toThrow(/positive losses.*-1 at step 1/);
    expect(() => elboHistory(np.zeros([2, 2]))).toThrow(/shape \[steps\]/);
  });
});

describe("draws and errors", () => {
  it("site elements are named as summary names them", () => {
    const els = siteElements({ L: np.zeros([1, 4, 2, 2]) }, {}, "test");
    expect(els.map((e) => e.name)).toEqual(["L[0,0]", "L[0,1]", "L[1,0]", "L[1,1]"]);
  });

  it("a site name with an index picks one element", async () => {
    const els = siteElements({ theta, mu }, { sites: ["theta[1]", "mu"] }, "test");
    expect(els.map((e) => e.name)).toEqual(["theta[1]", "mu"]);
    expect(Array.from(els[0].chains[1])).toEqual(Array.from(np.slice(theta, [1, 0, 1], [2, DRAWS, 2]).dataSync()));
    expect((await render(pairPlot({ mu, theta }, { sites: ["mu", "theta[0]"] }))).marks.symbol).toBe(CHAINS * DRAWS);
    expect(() => siteElements({ theta }, { sites: ["theta[2]"] }, "test")).toThrow("test: no element theta[2]: the draws of 'theta' have event shape [2]");
  });

  it("unknown sites, draws without a chain axis and non-finite draws are errors that say where", () => {
    expect(() => traceplot({ mu }, { sites: ["sigma"] })).toThrow("traceplot: no site 'sigma' in the draws (sites: mu)");
    expect(() => forestPlot({ x: np.zeros([5]) })).toThrow(/forestPlot: site 'x': expected draws of shape \[chains, draws, \.\.\.event\].*got \[5\]/);
    expect(() => rankplot({ x: np.array([[0, NaN]]) })).toThrow(/rankplot: site 'x': draw 1 of chain 0 of x is NaN/);
    expect(() => posteriorDensity({ mu }, { prob: 1.5 })).toThrow(/prob must be in \(0, 1\)/);
  });
});

describe("PNG and files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tyche-plots-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("toPng gives a PNG image at the asked scale", async () => {
    const png = await toPng(elboHistory(np.arange(1, 6), { width: 100, height: 50 }), { scale: 1 });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    const width = view.getUint32(16);
    const png2 = await toPng(elboHistory(np.arange(1, 6), { width: 100, height: 50 }), { scale: 2 });
    expect(new DataView(png2.buffer, png2.byteOffset).getUint32(16)).toBe(2 * width);
  });

  it("savePlot writes SVG or PNG by extension, creating directories; other extensions are errors", async () => {
    const spec = forestPlot({ mu }, { combined: true });
    await savePlot(spec, join(dir, "a", "forest.svg"));
    await savePlot(spec, join(dir, "forest.png"));
    expect((await readFile(join(dir, "a", "forest.svg"), "utf8")).startsWith("<svg")).toBe(true);
    expect(Array.from((await readFile(join(dir, "forest.png"))).subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    await expect(savePlot(spec, join(dir, "forest.pdf"))).rejects.toThrow(/must end in \.svg or \.png/);
  });
});
