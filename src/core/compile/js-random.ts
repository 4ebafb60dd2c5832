/**
 * Threefry-2x32 (20 rounds) as generated code for the `js` back end of jit: the same hash as
 * the eager kernel (random.ts), written out inline so a key split or a draw of random bits in a
 * compiled loop costs no kernel call and no allocation.
 */

/** Rotation amounts of the two groups of four rounds. */
const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];

/**
 * Lines computing threefry2x32 of int32 operand expressions (k0, k1, c0, c1) into the int32
 * variables `y0` and `y1` (declared here with `let`); its locals (named with `$`, which no
 * other generated name uses) live in a block of their own.
 */
export function threefryLines([k0, k1, c0, c1]: readonly string[], y0: string, y1: string): string[] {
  const lines = [`let ${y0} = 0, ${y1} = 0;`, "{"];
  const put = (l: string) => lines.push(`  ${l}`);
  put(`const $k0 = ${k0} | 0, $k1 = ${k1} | 0, $k2 = 0x1bd11bda ^ $k0 ^ $k1;`);
  put(`let $x = (${c0} + $k0) | 0, $y = (${c1} + $k1) | 0;`);
  const ks = ["$k0", "$k1", "$k2"];
  for (let g = 0; g < 5; g++) {
    for (const r of ROTATIONS[g % 2]) put(`$x = ($x + $y) | 0; $y = (($y << ${r}) | ($y >>> ${32 - r})) ^ $x;`);
    put(`$x = ($x + ${ks[(g + 1) % 3]}) | 0; $y = ($y + ${ks[(g + 2) % 3]} + ${g + 1}) | 0;`);
  }
  put(`${y0} = $x; ${y1} = $y;`);
  lines.push("}");
  return lines;
}
