import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createRandom } from '@mlm/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  STAR_GRAPH_SETTINGS,
  generateAsymmetricStarGraph,
  generateSimpleStarGraph,
  generateStarGraph,
  starGraphKey,
  type StarDifficulty,
  type StarGraph,
} from './star-graph-generator.js';
import { preprocessStarGraph } from './star-task.js';

interface Degrees {
  out: Map<number, number[]>;
  inbound: Map<number, number[]>;
  nodes: Set<number>;
}

function degrees(graph: StarGraph): Degrees {
  const out = new Map<number, number[]>();
  const inbound = new Map<number, number[]>();
  const nodes = new Set<number>();
  for (const [from, to] of graph.edgeList) {
    nodes.add(from);
    nodes.add(to);
    out.set(from, [...(out.get(from) ?? []), to]);
    inbound.set(to, [...(inbound.get(to) ?? []), from]);
  }
  return { out, inbound, nodes };
}

/** Nodes reached from `start` by following the single out-edge of each node (excluding `start`). */
function chainFrom(start: number, first: number, out: Map<number, number[]>): number[] {
  const chain = [first];
  let node = first;
  for (;;) {
    const next = out.get(node) ?? [];
    expect(next.length).toBeLessThanOrEqual(1);
    if (next.length === 0) return chain;
    node = next[0] as number;
    expect(node).not.toBe(start);
    chain.push(node);
  }
}

/** Checks everything the reference's generators guarantee; returns the centre. */
function checkStarGraph(graph: StarGraph, difficulty: StarDifficulty): number {
  const settings = STAR_GRAPH_SETTINGS[difficulty];
  const { out, inbound, nodes } = degrees(graph);
  const edgeSet = new Set(graph.edgeList.map(([a, b]) => `${a}>${b}`));
  expect(edgeSet.size).toBe(graph.edgeList.length); // no repeated edge
  for (const node of [...nodes, graph.source, graph.goal, ...graph.path]) {
    expect(Number.isInteger(node) && node >= 0 && node < settings.vocabSize).toBe(true);
  }
  // A tree (as an undirected graph): nodes = edges + 1, and the path walks along edges.
  expect(nodes.size).toBe(graph.edgeList.length + 1);
  expect(graph.path[0]).toBe(graph.source);
  expect(graph.path[graph.path.length - 1]).toBe(graph.goal);
  expect(new Set(graph.path).size).toBe(graph.path.length);
  for (let i = 0; i + 1 < graph.path.length; i++) expect(edgeSet.has(`${graph.path[i]}>${graph.path[i + 1]}`)).toBe(true);
  expect(out.get(graph.goal) ?? []).toHaveLength(0); // the goal is the end of an arm

  const centres = [...nodes].filter((node) => (out.get(node) ?? []).length > 1);
  expect(centres).toHaveLength(1);
  const centre = centres[0] as number;
  expect(out.get(centre)).toHaveLength(settings.degree);
  for (const node of nodes) {
    if (node === centre) continue;
    expect((out.get(node) ?? []).length).toBeLessThanOrEqual(1);
    expect((inbound.get(node) ?? []).length).toBeLessThanOrEqual(1);
  }
  const arms = (out.get(centre) as number[]).map((first) => chainFrom(centre, first, out));
  expect(graph.path).toContain(centre);
  const afterCentre = graph.path.length - 1 - graph.path.indexOf(centre);
  // Nothing leads into the source, unless the source is the centre (other arms may join there).
  if (graph.source !== centre) expect(inbound.get(graph.source) ?? []).toHaveLength(0);

  if (settings.kind === 'simple') {
    expect(graph.source).toBe(centre);
    expect(graph.edgeList).toHaveLength(settings.degree * (settings.pathLength - 1));
    expect(graph.path).toHaveLength(settings.pathLength);
    for (const arm of arms) expect(arm).toHaveLength(settings.pathLength - 1);
    expect(arms.some((arm) => arm[arm.length - 1] === graph.goal)).toBe(true);
  } else {
    expect(graph.path.length).toBeGreaterThanOrEqual(settings.minPathLength);
    expect(graph.path.length).toBeLessThanOrEqual(settings.maxPathLength);
    expect(afterCentre).toBeGreaterThanOrEqual(settings.minPlanLength);
    expect(graph.edgeList.length).toBeGreaterThanOrEqual(settings.degree * (settings.minPathLength - 1));
    expect(graph.edgeList.length).toBeLessThanOrEqual(settings.degree * (settings.maxPathLength - 1));
    for (const arm of arms) {
      expect(arm.length).toBeGreaterThanOrEqual(settings.minPlanLength);
      expect(arm.length).toBeLessThanOrEqual(settings.maxPathLength - 1);
    }
    // Chains leading into the centre (the part of an arm before it): at most one per arm.
    const into = inbound.get(centre) ?? [];
    expect(into.length).toBeLessThanOrEqual(settings.degree);
    for (const last of into) {
      let length = 1;
      let node = last;
      while ((inbound.get(node) ?? []).length === 1) {
        node = (inbound.get(node) as number[])[0] as number;
        length += 1;
      }
      expect(length).toBeLessThanOrEqual(settings.maxPathLength - settings.minPlanLength - 1);
    }
  }
  return centre;
}

const LENGTHS: Record<StarDifficulty, { prompt: [number, number]; input: [number, number]; numbers: number }> = {
  easy: { prompt: [26, 26], input: [8, 8], numbers: 20 },
  medium: { prompt: [14, 32], input: [4, 10], numbers: 20 },
  hard: { prompt: [52, 112], input: [10, 22], numbers: 56 },
};

describe.each(['easy', 'medium', 'hard'] as const)('star-%s generator', (difficulty) => {
  const random = createRandom(`star-${difficulty}`);
  const graphs = Array.from({ length: 300 }, () => generateStarGraph(random, difficulty));

  it('keeps every invariant of the reference generator', () => {
    for (const graph of graphs) checkStarGraph(graph, difficulty);
  });

  it('tokenizes to prompt/input lengths and ids as the reference', () => {
    const { prompt, input, numbers } = LENGTHS[difficulty];
    const tokenizer = SimpleSpaceTokenizer.forNumbers(numbers);
    for (const graph of graphs) {
      const example = preprocessStarGraph(graph, tokenizer);
      expect(example.promptIds.length).toBe(2 * graph.edgeList.length + 2);
      expect(example.promptIds.length).toBeGreaterThanOrEqual(prompt[0]);
      expect(example.promptIds.length).toBeLessThanOrEqual(prompt[1]);
      expect(example.inputIds.length).toBe(2 * (graph.path.length - 1));
      expect(example.inputIds.length).toBeGreaterThanOrEqual(input[0]);
      expect(example.inputIds.length).toBeLessThanOrEqual(input[1]);
      for (const id of [...example.promptIds, ...example.inputIds]) {
        expect(id).toBeGreaterThanOrEqual(7);
        expect(id).toBeLessThan(tokenizer.vocabSize);
      }
      expect(example.promptIds.slice(-2)).toEqual([graph.source + 7, graph.goal + 7]);
    }
  });

  it('is reproducible per seed and differs across seeds', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const first = Array.from({ length: 20 }, () => generateStarGraph(a, difficulty));
    expect(Array.from({ length: 20 }, () => generateStarGraph(b, difficulty))).toEqual(first);
    expect(Array.from({ length: 20 }, () => generateStarGraph(c, difficulty))).not.toEqual(first);
  });
});

describe('star generator distributions', () => {
  it('medium and hard arms take every length between the bounds; the easy goal is uniformly spread', () => {
    const random = createRandom(11);
    const mediumLengths = new Set<number>();
    const hardLengths = new Set<number>();
    for (let i = 0; i < 400; i++) {
      mediumLengths.add(generateStarGraph(random, 'medium').path.length);
      hardLengths.add(generateStarGraph(random, 'hard').path.length);
    }
    expect([...mediumLengths].sort((a, b) => a - b)).toEqual([3, 4, 5, 6]);
    expect([...hardLengths].sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    // The path starts at the centre sometimes (join at index 0) and before it other times.
    const sourceIsCentre = Array.from({ length: 200 }, () => {
      const graph = generateStarGraph(random, 'medium');
      return degrees(graph).out.get(graph.source)?.length === 3;
    });
    expect(sourceIsCentre.some(Boolean)).toBe(true);
    expect(sourceIsCentre.every(Boolean)).toBe(false);
  });

  it('holds the invariants for any seed (property)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom<StarDifficulty>('easy', 'medium', 'hard'), (seed, difficulty) => {
        checkStarGraph(generateStarGraph(createRandom(seed), difficulty), difficulty);
      }),
      { numRuns: 60 },
    );
  });
});

describe('star generator options', () => {
  it('rejects vocabularies too small for distinct node ids, as the reference', () => {
    expect(() => generateSimpleStarGraph(createRandom(1), { degree: 3, pathLength: 5, vocabSize: 15 })).toThrow(/vocabSize = 15.*16/);
    expect(() =>
      generateAsymmetricStarGraph(createRandom(1), { degree: 5, minPathLength: 6, maxPathLength: 12, minPlanLength: 5, vocabSize: 55 }),
    ).toThrow(/vocabSize = 55.*56/);
    expect(() =>
      generateAsymmetricStarGraph(createRandom(1), { degree: 3, minPathLength: 3, maxPathLength: 6, minPlanLength: 3, vocabSize: 20 }),
    ).toThrow(/minPlanLength = 3/);
    expect(() => generateStarGraph(createRandom(1), 'extreme' as StarDifficulty)).toThrow(/difficulty = "extreme"/);
  });

  it('keys ignore edge order', () => {
    const graph = generateStarGraph(createRandom(5), 'easy');
    const reordered = { ...graph, edgeList: [...graph.edgeList].reverse() };
    expect(starGraphKey(reordered)).toBe(starGraphKey(graph));
    expect(starGraphKey({ ...graph, goal: graph.goal + 1 })).not.toBe(starGraphKey(graph));
  });
});
