import { describe, expect, it } from 'vitest';
import { isCut, positionIn } from '../../eval/faults.ts';

describe('where the evaluator finds a summary sentence in a source', () => {
  const source =
    "Meridia Grid's operations director, Rafael Onsino, has spoken briefly to reporters. The company estimates that around 1.9 million customers lost power this afternoon.";
  it('finds a sentence the engine rewrote at its end', () => {
    const rewritten = 'The company estimates that around 1.9 million customers lost power on 16 July.';
    expect(positionIn(source, rewritten)).toBe(source.indexOf('The company'));
  });
  it('does not take another sentence that opens the same way for it', () => {
    const other =
      "Meridia Grid's operations director, Rafael Onsino, said the company had started to rebuild the network in stages.";
    expect(positionIn(source, other)).toBe(-1);
  });
});

describe('a headline the evaluator calls cut', () => {
  it('ends on an ellipsis or leaves a quotation open', () => {
    expect(isCut('"She could have resigned')).toBe(true);
    expect(isCut('Judge resigns over the shortlist…')).toBe(true);
    expect(isCut('"Not a contract", judge rules in salvage case')).toBe(false);
  });
});
