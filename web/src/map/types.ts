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
  /** Straight line from point to point, e.g. a rider's route: store → drop. */
  route?: Array<[number, number]>;
  onPick?: (lat: number, lng: number) => void;
  tall?: boolean;
  label: string;
}
