//! The two declarative macros a protocol author writes parameters with: [`params!`] for the
//! struct (each field once: name, type, default, optional range, doc comment as help) and
//! [`choice!`] for an enum parameter spelled as words in scenario files.

/// Declares a protocol's parameter struct once; derives its schema, `Default`, `Deserialize`
/// and the [`Params`](crate::params::Params) conversions from that one list.
///
/// Each field is `name: Type = default` with an optional `, range LO..=HI` (integers and
/// numbers; for a duration, durations as a scenario file writes them: `"1ms"..="10s"`), ended
/// by `;`. Its doc comment is the help text `ftsim list` prints. Field types
/// implement [`ParamType`](crate::params::ParamType): integers, `f64`, `bool`,
/// [`Duration`](crate::Duration), and [`choice!`](crate::choice!) enums.
///
/// ```
/// use ftsim_api::{choice, params, Duration, Params, ParamKind};
///
/// choice! {
///     /// Who proposes what.
///     pub enum Proposals { Random = "random", ById = "by-id" }
/// }
///
/// params! {
///     /// Parameters of my protocol.
///     pub struct MyParams {
///         /// Rounds before deciding.
///         rounds: u32 = 2, range 1..=64;
///         /// How processes pick their proposal.
///         proposals: Proposals = Proposals::Random;
///         /// How often the leader sends a heartbeat.
///         heartbeat: Duration = Duration::from_millis(10), range "1ms"..="1s";
///     }
/// }
///
/// let p = MyParams::default();
/// assert_eq!((p.rounds, p.proposals), (2, Proposals::Random));
/// assert_eq!(MyParams::schema()[0].kind, ParamKind::Int { min: 1, max: 64 });
/// assert_eq!(
///     MyParams::schema()[2].kind,
///     ParamKind::Duration { min: Duration::from_millis(1), max: Duration::from_secs(1) }
/// );
/// ```
#[macro_export]
macro_rules! params {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:ty = $default:expr $(, range $lo:literal ..= $hi:literal)?
            );* $(;)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        $vis struct $name {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        // By hand, field by field: an `f64` parameter hashes by its bits, so every parameter
        // struct is `Hash` and a process that keeps it whole can be searched.
        impl ::core::hash::Hash for $name {
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                $( $crate::params::ParamType::hash_param(&self.$field, state); )*
            }
        }

        impl $crate::params::Params for $name {
            fn schema() -> ::std::vec::Vec<$crate::params::ParamInfo> {
                let defaults = <Self as ::core::default::Default>::default();
                ::std::vec![ $(
                    $crate::params::ParamInfo {
                        name: ::core::stringify!($field),
                        kind: {
                            let kind = <$ty as $crate::params::ParamType>::kind();
                            $( let kind = kind.narrowed(
                                $crate::params::RangeEnd::from($lo),
                                $crate::params::RangeEnd::from($hi),
                            ); )?
                            kind
                        },
                        default: $crate::params::ParamType::to_value(&defaults.$field),
                        help: $crate::params::help_of(&[$($doc),*]),
                    }
                ),* ]
            }

            fn from_values(
                values: &$crate::params::ParamValues,
            ) -> ::core::result::Result<Self, $crate::params::ParamError> {
                $crate::params::reject_unknown(&[$(::core::stringify!($field)),*], values)?;
                let defaults = <Self as ::core::default::Default>::default();
                ::core::result::Result::Ok($name { $(
                    $field: $crate::params::field(
                        values,
                        ::core::stringify!($field),
                        &{
                            let kind = <$ty as $crate::params::ParamType>::kind();
                            $( let kind = kind.narrowed(
                                $crate::params::RangeEnd::from($lo),
                                $crate::params::RangeEnd::from($hi),
                            ); )?
                            kind
                        },
                        defaults.$field,
                    )?,
                )* })
            }

            fn to_values(&self) -> $crate::params::ParamValues {
                #[allow(unused_mut)]
                let mut values = $crate::params::ParamValues::new();
                $(
                    values.insert(
                        ::core::stringify!($field).to_string(),
                        $crate::params::ParamType::to_value(&self.$field),
                    );
                )*
                values
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::params::deserialize(d)
            }
        }
    };
}

/// Declares an enum parameter whose values are written as words in scenario files.
///
/// ```
/// use ftsim_api::{choice, ParamType, ParamValue};
///
/// choice! {
///     /// What the server keeps across a reboot.
///     pub enum Server { Stateful = "stateful", Stateless = "stateless" }
/// }
///
/// assert_eq!(Server::NAMES, ["stateful", "stateless"]);
/// assert_eq!(Server::from_value(&ParamValue::Str("stateless".into())), Some(Server::Stateless));
/// assert_eq!(Server::Stateful.to_string(), "stateful");
/// ```
#[macro_export]
macro_rules! choice {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// The words a scenario file uses for this parameter, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The word for this value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::params::ParamType for $name {
            fn kind() -> $crate::params::ParamKind {
                $crate::params::ParamKind::Choice(Self::NAMES)
            }
            fn to_value(&self) -> $crate::params::ParamValue {
                $crate::params::ParamValue::Str(self.as_str().to_string())
            }
            fn from_value(value: &$crate::params::ParamValue) -> ::core::option::Option<Self> {
                match value {
                    $crate::params::ParamValue::Str(s) => match s.as_str() {
                        $( $text => ::core::option::Option::Some($name::$variant), )+
                        _ => ::core::option::Option::None,
                    },
                    _ => ::core::option::Option::None,
                }
            }
            fn hash_param<H: ::core::hash::Hasher>(&self, state: &mut H) {
                ::core::hash::Hash::hash(self, state);
            }
        }
    };
}
