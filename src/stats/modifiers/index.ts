// The modifier types in pyhf's registry order, which is also the order of their parameters.
import { histosys } from './histosys.ts';
import { lumi } from './lumi.ts';
import { normfactor } from './normfactor.ts';
import { normsys } from './normsys.ts';
import { shapefactor } from './shapefactor.ts';
import { shapesys } from './shapesys.ts';
import { staterror } from './staterror.ts';
import type { ModifierKind } from './types.ts';

export const MODIFIER_KINDS: readonly ModifierKind[] = [histosys, lumi, normfactor, normsys, shapefactor, shapesys, staterror];
