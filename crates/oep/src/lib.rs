//! Open ePlatform interop: turn an exported OEP e-service (`.oeflow`) into a Blankett
//! definition, and a stored Blankett submission into the FlowInstance XML that OEP
//! integrations read. Pure functions over strings, no I/O: the receiver's command line and
//! the browser's developer page run the same conversion.

pub mod export;
pub mod html;
pub mod import;
pub mod xml;
