// Customer pickers (customers/picker.py): typing in the search box lists the matching
// customers; choosing one (click, or arrows and Enter) fills in the hidden id.
(() => {
  document.querySelectorAll(".customer-picker").forEach((picker) => {
    const search = picker.querySelector("[data-picker-search]");
    const chosen = picker.querySelector("[data-picker-id]");
    const results = picker.querySelector("[role=listbox]");
    let timer;
    let active = -1;

    const options = () => [...results.querySelectorAll("[role=option]")];
    const close = () => {
      results.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    };
    const choose = (option) => {
      chosen.value = option.dataset.id;
      search.value = option.dataset.label;
      close();
    };
    const highlight = (index) => {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach((option, i) => option.classList.toggle("active", i === active));
      search.setAttribute("aria-activedescendant", all[active].id);
    };
    const option = (customer, index) => {
      const item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action";
      item.id = `${results.id}-${index}`;
      item.setAttribute("role", "option");
      item.dataset.id = customer.id;
      item.dataset.label = customer.detail ? `${customer.name} · ${customer.detail}` : customer.name;
      const name = document.createElement("strong");
      name.textContent = customer.name;
      const detail = document.createElement("small");
      detail.className = "d-block text-body-secondary";
      detail.textContent = customer.detail;
      item.append(name, detail);
      item.addEventListener("click", () => choose(item));
      return item;
    };
    const show = (customers) => {
      if (customers.length) {
        results.replaceChildren(...customers.map(option));
      } else {
        const none = document.createElement("div");
        none.className = "list-group-item text-body-secondary";
        none.textContent = "No customer matches.";
        results.replaceChildren(none);
      }
      results.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
    };

    search.addEventListener("input", () => {
      chosen.value = "";
      clearTimeout(timer);
      const query = search.value.trim();
      if (query.length < 2) {
        close();
        return;
      }
      timer = setTimeout(async () => {
        const url = `${picker.dataset.lookupUrl}?q=${encodeURIComponent(query)}`;
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (response.ok && search.value.trim() === query) show((await response.json()).results);
      }, 200);
    });
    search.addEventListener("keydown", (event) => {
      if (results.hidden) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    document.addEventListener("click", (event) => {
      if (!picker.contains(event.target)) close();
    });
  });
})();
