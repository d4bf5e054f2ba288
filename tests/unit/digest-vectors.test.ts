import { describe, expect, it } from 'vitest';
import {
  Centroid,
  dot,
  FeatureTable,
  type FeatureVector,
  topFeatures,
  unitFeatureVector,
  unitVector,
} from '../../functions/core/digest/vectors.ts';
import { seededRandom as random } from '../support/seeded-random.ts';

/** Weights by feature name, some of them zero, over a small vocabulary so vectors overlap. */
function namedWeights(next: () => number, size: number): Map<string, number> {
  const weights = new Map<string, number>();
  while (weights.size < size) {
    const feature = next() < 0.2 ? `@place${Math.floor(next() * 10)}@2018` : `word${Math.floor(next() * 60)}`;
    weights.set(feature, next() < 0.05 ? 0 : Math.round(next() * 8) / 2);
  }
  return weights;
}

/** The map-based centroid the numbered one replaces: the reference for bit-for-bit agreement. */
function mapSum(vectors: readonly Map<string, number>[]): Map<string, number> {
  const sum = new Map<string, number>();
  for (const vector of vectors) for (const [f, w] of vector) sum.set(f, (sum.get(f) ?? 0) + w);
  return sum;
}

function squared(vector: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const w of vector.values()) total += w * w;
  return total;
}

describe('numbered feature vectors', () => {
  it('keep the order, weights and zero-dropping of unit vectors over maps', () => {
    const next = random(7);
    const table = new FeatureTable();
    for (let n = 0; n < 50; n++) {
      const weights = namedWeights(next, 1 + Math.floor(next() * 30));
      const vector = unitFeatureVector(table, [...weights.keys()], [...weights.values()]);
      const reference = unitVector(new Map(weights));
      expect([...vector.ids].map((id) => table.name(id))).toEqual([...reference.keys()]);
      expect([...vector.weights]).toEqual([...reference.values()]);
    }
  });

  it('give centroid similarities equal to the last bit to the map-based sums', () => {
    const next = random(2018);
    const table = new FeatureTable();
    const groups: { named: Map<string, number>[]; numbered: FeatureVector[] }[] = [];
    for (let g = 0; g < 12; g++) {
      const group = { named: [] as Map<string, number>[], numbered: [] as FeatureVector[] };
      for (let m = 0; m < 1 + Math.floor(next() * 8); m++) {
        const weights = namedWeights(next, 1 + Math.floor(next() * 40));
        group.named.push(unitVector(new Map(weights)));
        group.numbered.push(unitFeatureVector(table, [...weights.keys()], [...weights.values()]));
      }
      groups.push(group);
    }
    const centroids = groups.map((group) => {
      const centroid = new Centroid(table);
      for (const vector of group.numbered) centroid.add(vector);
      return centroid;
    });
    groups.forEach((group, g) => {
      const centroid = centroids[g] ?? new Centroid(table);
      const sum = mapSum(group.named);
      expect([...centroid.features]).toEqual([...sum]);
      groups.forEach((other, o) => {
        const otherSum = mapSum(other.named);
        expect(centroid.similarityWith(centroids[o] ?? new Centroid(table))).toBe(
          dot(sum, otherSum) / (group.named.length * other.named.length),
        );
        other.named.forEach((named, v) => {
          const numbered = other.numbered[v] ?? { ids: new Int32Array(0), weights: new Float64Array(0) };
          expect(centroid.similarity(numbered)).toBe(dot(sum, named) / group.named.length);
          expect(centroid.cosine(numbered)).toBe(dot(sum, named) / Math.sqrt(squared(sum) * squared(named)));
          expect(centroid.cosineOfNamed(named)).toBe(centroid.cosine(numbered));
        });
      });
    });
  });

  it('rank the heaviest features first, ties by name', () => {
    const table = new FeatureTable();
    const vector = unitFeatureVector(table, ['delta', 'alpha', 'charlie', 'bravo', 'echo'], [1, 2, 2, 3, 1]);
    expect(topFeatures(table, vector, 4).map((id) => table.name(id))).toEqual([
      'bravo',
      'alpha',
      'charlie',
      'delta',
    ]);
  });
});
