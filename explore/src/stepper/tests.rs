//! A step whose handler or property panics is a finding named for what panicked.

use std::sync::Arc;

use sim_core::entropy::DetHasher;
use sim_core::World;
use sim_core::{Ctx, Explorable, NodeId, Process, Property, PropertyKind, StateCheck};

use super::Stepper;
use crate::config::LinkRule;
use crate::draws::Taken;
use crate::model::{Model, MonitorDef};
use crate::transition::Transition;

/// Node 0 sends node 1 `msg` at its start; node 1 panics on "boom" and keeps any other.
#[derive(Clone, Debug, Hash)]
struct Sender {
    msg: &'static str,
    got: Option<&'static str>,
}

impl Process for Sender {
    type Msg = &'static str;
    type Timer = u8;
    type Obs = ();
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        if ctx.id() == 0 {
            ctx.send(1, self.msg);
        }
    }

    fn on_message(&mut self, _: &mut Ctx<'_, Self>, _: NodeId, msg: Self::Msg) {
        assert_ne!(msg, "boom", "the handler panics");
        self.got = Some(msg);
    }
}

/// Panics judging a state where node 1 got "fragile".
#[derive(Clone)]
struct Fragile;

impl Property<Sender> for Fragile {
    fn check_state(&mut self, world: &World<'_, Sender>) -> StateCheck {
        assert_ne!(world.state(1).got, Some("fragile"), "the property panics");
        StateCheck::Holds
    }
}

impl Explorable<Sender> for Fragile {
    fn fingerprint(&self, _: &mut DetHasher) {}
}

fn model(msg: &'static str) -> Model<Sender> {
    let link = LinkRule {
        lossy: false,
        duplicating: false,
        fifo: false,
    };
    let fragile = MonitorDef {
        name: "fragile",
        kind: PropertyKind::Always,
        make: Arc::new(|| Box::new(Fragile)),
    };
    let factory = Box::new(move |_, _| Sender { msg, got: None });
    Model::for_test(2, link, factory, vec![fragile])
}

/// The verdict of delivering node 0's message to node 1.
fn deliver(msg: &'static str) -> Result<(), String> {
    let model = model(msg);
    let mut stepper = Stepper::new(&model);
    let (mut state, verdict) = stepper.initial();
    verdict.map_err(|b| b.message)?;
    let step = Taken {
        t: Transition::Deliver(0),
        plan: 0,
    };
    let verdict = stepper.take(&mut state, step, 1);
    verdict.map_err(|broken| {
        assert_eq!(broken.monitor, None, "a panic is no property's verdict");
        broken.message
    })
}

#[test]
fn a_panic_is_named_for_the_handler_or_the_property_that_panicked() {
    assert_eq!(deliver("hello"), Ok(()));
    let handler = deliver("boom").expect_err("the handler panics");
    assert!(
        handler.starts_with("node 1's handler panicked: ") && handler.contains("the handler"),
        "{handler}"
    );
    let property = deliver("fragile").expect_err("the property panics");
    assert!(
        property.starts_with("a property panicked judging node 1's step: ")
            && property.contains("the property"),
        "{property}"
    );
}
