// Replaced by the real-services setup (scripts/services): starts InfluxDB and Mosquitto on free loopback ports.
export default function setup(): void {}
