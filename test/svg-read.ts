// Numbers back out of the SVG figures jsroot draws: the frame's pixel box, the points of a path
// and their data coordinates given the axis ranges (resolution: one pixel).

export interface Frame { x0: number; y0: number; width: number; height: number }

/** The frames (axis boxes) of the pads in drawing order: `<g transform="translate(x0,y0)"><path d="M0,0HwVhH0Z"`,
 *  x0 / y0 relative to their pad. */
export function framesOf(svg: string): Frame[] {
  const re = /<g transform="translate\((\d+(?:\.\d+)?),(\d+(?:\.\d+)?)\)"><path d="M0,0H(\d+(?:\.\d+)?)V(\d+(?:\.\d+)?)H0Z"/g;
  return [...svg.matchAll(re)].map((m) => ({ x0: Number(m[1]), y0: Number(m[2]), width: Number(m[3]), height: Number(m[4]) }));
}

/** The first frame. */
export function frameOf(svg: string): Frame {
  const f = framesOf(svg)[0];
  if (!f) throw new Error('no frame in the SVG');
  return f;
}

/** The `d` attributes of the paths whose style matches. */
export function pathsWithStyle(svg: string, style: RegExp): string[] {
  const out: string[] = [];
  for (const m of svg.matchAll(/<path d="([^"]*)" style="([^"]*)"/g)) if (style.test(m[2]!)) out.push(m[1]!);
  return out;
}

/** The vertices of a path made of M/L/H/V (absolute or relative) commands. */
export function pathPoints(d: string): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  let x = 0, y = 0;
  for (const m of d.matchAll(/([MLHVmlhv])([^MLHVZmlhvz]*)/g)) {
    const nums = m[2]!.split(/[ ,]+|(?=-)/).filter((t) => t !== '').map(Number);
    const cmd = m[1]!;
    const step = cmd === 'H' || cmd === 'V' || cmd === 'h' || cmd === 'v' ? 1 : 2;
    for (let i = 0; i + step <= nums.length; i += step) {
      if (cmd === 'M' || cmd === 'L') { x = nums[i]!; y = nums[i + 1]!; }
      else if (cmd === 'm' || cmd === 'l') { x += nums[i]!; y += nums[i + 1]!; }
      else if (cmd === 'H') x = nums[i]!;
      else if (cmd === 'h') x += nums[i]!;
      else if (cmd === 'V') y = nums[i]!;
      else y += nums[i]!;
      pts.push([x, y]);
    }
  }
  return pts;
}

/** Pixel -> data coordinates for a linear frame; `inFrame`: the pixels are relative to the frame
 *  (paths drawn inside it) rather than to the canvas (lines and boxes). */
export function toData(p: [number, number], f: Frame, xr: [number, number], yr: [number, number], inFrame: boolean): [number, number] {
  const px = inFrame ? p[0] : p[0] - f.x0, py = inFrame ? p[1] : p[1] - f.y0;
  return [xr[0] + (px / f.width) * (xr[1] - xr[0]), yr[1] - (py / f.height) * (yr[1] - yr[0])];
}
