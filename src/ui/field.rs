//! A text or number input that keeps what is being typed.
//!
//! Yew writes an input's `value` back into the DOM whenever a render's
//! value differs from what the element shows, so an input drawn from the
//! model would lose half-typed text on the next frame. A `Field` shows the
//! model's value until the person types; the typed text then stays (in the
//! component, not the model) until it is committed with `change` or the
//! model's value itself changes (a reset, a load).

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub id: AttrValue,
    /// The model's value, as text.
    pub value: AttrValue,
    /// The committed text (on Enter or leaving the field).
    #[prop_or_default]
    pub onchange: Callback<String>,
    #[prop_or(AttrValue::Static("number"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub min: Option<AttrValue>,
    #[prop_or_default]
    pub max: Option<AttrValue>,
    #[prop_or_default]
    pub step: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub label: Option<AttrValue>,
}

fn text_of(e: &Event) -> Option<String> {
    e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).map(|i| i.value())
}

#[function_component]
pub fn Field(p: &FieldProps) -> Html {
    // (the model's value last seen, the text shown)
    let state: Rc<RefCell<(AttrValue, AttrValue)>> = use_mut_ref(|| (p.value.clone(), p.value.clone()));
    {
        let mut s = state.borrow_mut();
        if s.0 != p.value {
            *s = (p.value.clone(), p.value.clone());
        }
    }
    let shown = state.borrow().1.clone();
    let oninput = {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(t) = text_of(&e) {
                state.borrow_mut().1 = t.into();
            }
        })
    };
    let onchange = {
        let cb = p.onchange.clone();
        Callback::from(move |e: Event| {
            if let Some(t) = text_of(&e) {
                cb.emit(t);
            }
        })
    };
    html! {
        <input id={p.id.clone()} class={p.class.clone()} type={p.kind.clone()} value={shown}
            min={p.min.clone()} max={p.max.clone()} step={p.step.clone()} placeholder={p.placeholder.clone()}
            aria-label={p.label.clone()} {oninput} {onchange} />
    }
}
