export interface MapStore {
  id: string;
  name: string;
  lat: number;
  lng: number;
  is_open?: boolean;
  service_radius_m?: number | null;
  service_area?: unknown;
}

export interface MapPoint {
  id: string;
  lat: number;
  lng: number;
  label: string;
  kind: 'address' | 'rider' | 'you' | 'drop' | 'store';
}

export interface MapProps {
  stores?: MapStore[];
  points?: MapPoint[];
  /** A route to draw, [lat, lng] in order: along the streets, or a straight hint. */
  route?: Array<[number, number]>;
  /** Whether ``route`` follows the streets (solid) or is a straight line (dashed). */
  routeOnStreets?: boolean;
  onPick?: (lat: number, lng: number) => void;
  tall?: boolean;
  label: string;
}
