//! The types every composed system declares the same way: a message, timer,
//! observation and durable write that are "one part's", a durable image with a field
//! per part, a [`Lens`](hasim_sim::Lens) per part, and their trace descriptions. One
//! macro writes them, so a system's module holds only its seams.

/// Declares a composed system's part-wrapping types for host `$host`: per part, the
/// variant `$variant` (of `Msg`, `Timer`, `Observation`, `DiskWrite`), the field
/// `$field` of `Disk`, the lens `$lens` (with `$lens::unwrap`, the part's observation
/// out of the host's), and the name `$name` its events carry in
/// traces. A part's timers keep the tag of the run that set them (`Timer::X(timer,
/// tag)`), for hosts that restart a part inside a running node.
macro_rules! parts {
    (
        host $host:ty;
        $(
            $(#[doc = $doc:literal])*
            $variant:ident($part:ty), lens $lens:ident, disk $field:ident, name $name:literal;
        )+
    ) => {
        /// A message: one part's.
        #[derive(Clone, Debug)]
        pub enum Msg {
            $( $(#[doc = $doc])* $variant(<$part as hasim_sim::Protocol>::Msg), )+
        }

        /// A timer: one part's, with the tag of the run that set it.
        #[derive(Clone, Copy, Debug)]
        pub enum Timer {
            $( $(#[doc = $doc])* $variant(<$part as hasim_sim::Protocol>::Timer, u32), )+
        }

        /// An observation: one part's.
        #[derive(Clone, Debug)]
        pub enum Observation {
            $( $(#[doc = $doc])* $variant(<$part as hasim_sim::Protocol>::Observation), )+
        }

        /// A node's durable image: each part's.
        #[derive(Clone, Debug, Default)]
        pub struct Disk {
            $( $(#[doc = $doc])* pub $field: <$part as hasim_sim::Protocol>::Durable, )+
        }

        /// A durable write: one part's.
        #[derive(Clone, Debug)]
        pub enum DiskWrite {
            $(
                $(#[doc = $doc])*
                $variant(<<$part as hasim_sim::Protocol>::Durable as hasim_sim::Durable>::Write),
            )+
        }

        impl hasim_sim::Durable for Disk {
            type Write = DiskWrite;
            fn apply(&mut self, write: &DiskWrite) {
                match write {
                    $( DiskWrite::$variant(w) => self.$field.apply(w), )+
                }
            }
        }

        $(
            $(#[doc = $doc])*
            #[derive(Clone, Copy, Debug, Default)]
            pub struct $lens;

            impl hasim_sim::Lens for $lens {
                type Host = $host;
                type Part = $part;
                fn msg(&self, msg: <$part as hasim_sim::Protocol>::Msg) -> Msg {
                    Msg::$variant(msg)
                }
                fn timer(&self, timer: <$part as hasim_sim::Protocol>::Timer, tag: u32) -> Timer {
                    Timer::$variant(timer, tag)
                }
                fn observation(&self, observation: <$part as hasim_sim::Protocol>::Observation) -> Observation {
                    Observation::$variant(observation)
                }
                fn write(
                    &self,
                    write: <<$part as hasim_sim::Protocol>::Durable as hasim_sim::Durable>::Write,
                ) -> DiskWrite {
                    DiskWrite::$variant(write)
                }
            }

            impl $lens {
                /// The part's observation inside a host observation, if it is the part's:
                /// what a [`Projection`](hasim_sim::Projection) of the part reads.
                pub fn unwrap(
                    observation: &Observation,
                ) -> Option<<$part as hasim_sim::Protocol>::Observation> {
                    match observation {
                        Observation::$variant(o) => Some(<_ as Clone>::clone(o)),
                        #[allow(unreachable_patterns)]
                        _ => None,
                    }
                }
            }
        )+

        impl hasim_sim::Describe for Msg {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( Msg::$variant(m) => m.describe(d.name($name)), )+
                }
            }
        }

        impl hasim_sim::Describe for Timer {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( Timer::$variant(t, _) => t.describe(d.name($name)), )+
                }
            }
        }

        impl hasim_sim::Describe for Observation {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( Observation::$variant(o) => o.describe(d.name($name)), )+
                }
            }
        }

        impl hasim_sim::Describe for DiskWrite {
            fn describe(&self, d: &mut hasim_sim::Detail<'_>) {
                match self {
                    $( DiskWrite::$variant(w) => w.describe(d.name($name)), )+
                }
            }
        }
    };
}
