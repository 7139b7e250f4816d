import { describe, expect, it } from 'vitest';
import { cornersOf, polygonOf, type Corner } from './AreaEditor';

describe('service area drawing', () => {
  const corners: Corner[] = [
    [60.17, 24.93],
    [60.175, 24.95],
    [60.165, 24.955],
  ];

  it('makes a closed GeoJSON ring, longitude first, from three corners or more', () => {
    expect(polygonOf(corners.slice(0, 2))).toBeNull();
    expect(polygonOf(corners)).toEqual({
      type: 'Polygon',
      coordinates: [
        [
          [24.93, 60.17],
          [24.95, 60.175],
          [24.955, 60.165],
          [24.93, 60.17],
        ],
      ],
    });
  });

  it('reads a store polygon back as the corners drawn, and none for a radius', () => {
    expect(cornersOf(polygonOf(corners))).toEqual(corners);
    expect(cornersOf(null)).toEqual([]);
    expect(cornersOf({ type: 'Point', coordinates: [1, 2] })).toEqual([]);
  });

  it('rounds a click to about ten centimetres', () => {
    const ring = polygonOf([[60.1234567891, 24.9876543219], ...corners])!.coordinates[0]!;
    expect(ring[0]).toEqual([24.987654, 60.123457]);
  });
});
