// SPDX-License-Identifier: GPL-2.0
/*
 * nvemu persistent processes: the process area
 *
 * drivers/nvemu offers the part of its NVM that holds persistent processes
 * (nvemu_proc_area_register()).  This file checks or formats the area's
 * header, reads every slot into DRAM state, derives which pool pages are
 * free from the committed page maps (no allocator state is kept on NVM),
 * turns the pool into MEMORY_DEVICE_COHERENT memory when a persistent
 * process first needs it, and holds commits back while a save runs.
 * design/persistent-processes.md, sections 2.6 and 3.
 */
#include <linux/audit.h>
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/xxhash.h>

#include "internal.h"

static struct nvemu_area *nvemu_the_area;

/**
 * nvemu_slot_addr() - kernel address of a slot
 * @area: the area
 * @index: slot number
 *
 * Return: the slot's first byte (its commit word).
 */
void *nvemu_slot_addr(struct nvemu_area *area, u32 index)
{
	return area->addr + NVEMU_PA_SLOTS_OFFSET +
	       (size_t)index * NVEMU_SLOT_SIZE;
}

/**
 * nvemu_area_wrote() - tell the driver that bytes of the area were written
 * @area: the area
 * @addr: kernel address of the first byte written
 * @len: bytes written
 */
void nvemu_area_wrote(struct nvemu_area *area, const void *addr, size_t len)
{
	area->ops->wrote(area->dev, addr - area->addr, len);
}

static void nvemu_pool_wrote(void *data, const void *addr, size_t len)
{
	nvemu_area_wrote(data, addr, len);
}

static u64 nvemu_area_pool_offset(u32 nr_slots)
{
	return ALIGN(NVEMU_PA_SLOTS_OFFSET + (u64)nr_slots * NVEMU_SLOT_SIZE,
		     NVEMU_PA_POOL_ALIGN);
}

static u32 nvemu_area_nr_slots(u64 size)
{
	return clamp_t(u64, size / NVEMU_PA_BYTES_PER_SLOT, NVEMU_PA_MIN_SLOTS,
		       NVEMU_PA_MAX_SLOTS);
}

static void nvemu_area_format(struct nvemu_area *area)
{
	const struct nvemu_nvm_ops *ops = &nvemu_nvm_ops_default;
	struct nvemu_pa_header *h;
	u32 nr_slots = nvemu_area_nr_slots(area->size);
	u64 pool = nvemu_area_pool_offset(nr_slots);
	u32 i;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return;
	for (i = 0; i < nr_slots; i++)
		nvemu_slot_format(ops, nvemu_slot_addr(area, i));
	h->magic = cpu_to_le64(NVEMU_PA_MAGIC);
	h->version = cpu_to_le32(NVEMU_PA_VERSION);
	h->page_shift = cpu_to_le32(PAGE_SHIFT);
	h->size = cpu_to_le64(area->size);
	h->nr_slots = cpu_to_le32(nr_slots);
	h->slot_size = cpu_to_le32(NVEMU_SLOT_SIZE);
	h->pool_offset = cpu_to_le64(pool);
	h->pool_pages = cpu_to_le64((area->size - pool) >> PAGE_SHIFT);
	h->arch = cpu_to_le64(nvemu_arch_id());
	h->checksum = cpu_to_le64(xxh64(h, offsetof(typeof(*h), checksum), 0));
	ops->fence(ops);
	ops->copy(ops, area->addr, h, sizeof(*h));
	ops->fence(ops);
	nvemu_area_wrote(area, area->addr, NVEMU_PA_SLOTS_OFFSET +
			 (size_t)nr_slots * NVEMU_SLOT_SIZE);
	kfree(h);
	dev_info(area->dev, "process area formatted: %llu MiB, %u slots\n",
		 area->size >> 20, nr_slots);
}

/* Check the header; on success the geometry is in @nr_slots, @pool */
static int nvemu_area_check(struct nvemu_area *area, u64 *pool, u64 *pages)
{
	const struct nvemu_pa_header *h = area->addr;
	u32 nr_slots;

	if (le64_to_cpu(h->magic) != NVEMU_PA_MAGIC ||
	    le64_to_cpu(h->checksum) !=
	    xxh64(h, offsetof(typeof(*h), checksum), 0)) {
		dev_err(area->dev, "process area: bad header; not used, nothing overwritten\n");
		return -EUCLEAN;
	}
	if (le32_to_cpu(h->version) != NVEMU_PA_VERSION ||
	    le32_to_cpu(h->page_shift) != PAGE_SHIFT ||
	    le64_to_cpu(h->arch) != nvemu_arch_id()) {
		dev_err(area->dev, "process area: version %u, page size %u KiB, arch %#llx: another kernel's; not used\n",
			le32_to_cpu(h->version),
			(1U << min(le32_to_cpu(h->page_shift), 31U)) >> 10,
			le64_to_cpu(h->arch));
		return -EXDEV;
	}
	nr_slots = le32_to_cpu(h->nr_slots);
	*pool = le64_to_cpu(h->pool_offset);
	*pages = le64_to_cpu(h->pool_pages);
	if (le64_to_cpu(h->size) != area->size ||
	    le32_to_cpu(h->slot_size) != NVEMU_SLOT_SIZE ||
	    nr_slots < NVEMU_PA_MIN_SLOTS || nr_slots > NVEMU_PA_MAX_SLOTS ||
	    *pool != nvemu_area_pool_offset(nr_slots) ||
	    *pages != (area->size - *pool) >> PAGE_SHIFT) {
		dev_err(area->dev, "process area: geometry does not match its size; not used\n");
		return -EUCLEAN;
	}
	area->nr_slots = nr_slots;
	return 0;
}

/* The physical runs of the pool, from the area's ranges */
static int nvemu_area_runs(struct nvemu_area *area,
			   const struct nvemu_proc_area_desc *desc, u64 pool)
{
	u64 off = 0, skip = pool;
	unsigned int i;
	u32 first = 1;

	for (i = 0; i < desc->nr_ranges; i++) {
		u64 len = range_len(&desc->phys[i]);
		u64 start = desc->phys[i].start;

		off += len;
		if (skip >= len) {
			skip -= len;
			continue;
		}
		start += skip;
		len -= skip;
		skip = 0;
		if (!IS_ALIGNED(start | len, NVEMU_PA_POOL_ALIGN))
			return -EINVAL;
		area->runs[area->nr_runs].pfn = PHYS_PFN(start);
		area->runs[area->nr_runs].nr = len >> PAGE_SHIFT;
		area->runs[area->nr_runs].first = first;
		first += len >> PAGE_SHIFT;
		area->nr_runs++;
	}
	return off == area->size ? 0 : -EINVAL;
}

static int nvemu_mark_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	return nvemu_pool_mark(arg, index);
}

static int nvemu_count_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	return 0;
}

/* Mark the pages of a slot's committed state used; -EUCLEAN if damaged */
static int nvemu_slot_scan(struct nvemu_area *area,
			   const struct nvemu_half *h)
{
	struct nvemu_pmap_root root = {
		.index = le32_to_cpu(h->map_root),
		.check = le32_to_cpu(h->map_root_check),
		.levels = le32_to_cpu(h->map_levels),
	};
	u32 n = DIV_ROUND_UP(le32_to_cpu(h->desc_len), PAGE_SIZE);
	int rc;
	u32 i;

	if (n > NVEMU_DESC_MAX_PAGES)
		return -EUCLEAN;
	for (i = 0; i < n; i++) {
		u32 idx = le32_to_cpu(h->desc_page[i]);

		if (!idx || idx > area->pool.nr_pages)
			return -EUCLEAN;
	}
	/* a first walk checks every node before anything is marked */
	rc = nvemu_pmap_walk(&area->pool, &root, nvemu_count_fn, NULL);
	if (rc)
		return rc;
	rc = nvemu_pmap_walk(&area->pool, &root, nvemu_mark_fn, &area->pool);
	for (i = 0; !rc && i < n; i++)
		rc = nvemu_pool_mark(&area->pool, le32_to_cpu(h->desc_page[i]));
	return rc;
}

static void nvemu_area_read_slots(struct nvemu_area *area)
{
	u32 i, damaged = 0, held = 0;

	for (i = 0; i < area->nr_slots; i++) {
		struct nvemu_slot *s = &area->slot[i];
		const struct nvemu_half *h;
		u32 state;
		int rc = -EUCLEAN;

		s->index = i;
		state = nvemu_slot_proc_state(nvemu_slot_addr(area, i), false,
					      &h);
		if (!state)
			continue;
		if (state != NVEMU_PROC_DAMAGED) {
			s->id = le64_to_cpu(h->id);
			s->uid = KUIDT_INIT(le32_to_cpu(h->uid));
			area->next_id = max(area->next_id, s->id + 1);
			rc = nvemu_slot_scan(area, h);
		}
		if (rc) {
			/* whose it is: from the half before, if that is valid */
			if (!s->id &&
			    !nvemu_slot_read_previous(nvemu_slot_addr(area, i),
						      &h)) {
				s->id = le64_to_cpu(h->id);
				s->uid = KUIDT_INIT(le32_to_cpu(h->uid));
				area->next_id = max(area->next_id, s->id + 1);
			}
			s->state = NVEMU_SLOT_DAMAGED;
			damaged++;
			continue;
		}
		s->state = NVEMU_SLOT_DORMANT;
		held++;
	}
	/* a damaged slot of unknown owner: a new id, root's (CAP_SYS_ADMIN) */
	for (i = 0; i < area->nr_slots; i++) {
		struct nvemu_slot *s = &area->slot[i];

		if (s->state != NVEMU_SLOT_DAMAGED)
			continue;
		if (!s->id) {
			s->id = area->next_id++;
			s->uid = GLOBAL_ROOT_UID;
		}
		dev_err(area->dev, "process area: slot %u (process %llu) is damaged; it will not be resumed (discard frees it)\n",
			i, s->id);
	}
	dev_info(area->dev, "process area: %u of %u slots hold processes, %u damaged, %u of %u pool pages free\n",
		 held, area->nr_slots, damaged, area->pool.nr_free,
		 area->pool.nr_pages);
}

/*
 * Format the area when this boot formatted the NVM (or, when it was read
 * after a restore, found no area there), otherwise check its header; then
 * read its slots.  Done at registration, or, while the restore gate is
 * closed, by the first user after it opened: the restore writes the area
 * too.  An area that is damaged or was formatted by another kernel is kept
 * (shown by NVEMU_PROC_IOC_AREA) but never written.
 */
static void nvemu_area_load(struct nvemu_area *area)
{
	const struct nvemu_pa_header *hdr = area->addr;
	u64 pool, pages;
	int rc;

	lockdep_assert_held(&area->lock);
	if (area->loaded || !area->ops->gate_open(area->dev))
		return;
	if (area->fresh && (!area->deferred ||
			    le64_to_cpu(hdr->magic) != NVEMU_PA_MAGIC))
		nvemu_area_format(area);
	rc = nvemu_area_check(area, &pool, &pages);
	if (rc) {
		area->flags = rc == -EXDEV ? NVEMU_PROC_AREA_FOREIGN :
					     NVEMU_PROC_AREA_DAMAGED;
		goto loaded;
	}
	rc = nvemu_area_runs(area, area->desc, pool);
	if (rc) {
		dev_err(area->dev, "process area: its ranges are not 2 MiB aligned; not used\n");
		area->flags = NVEMU_PROC_AREA_DAMAGED;
		goto loaded;
	}
	area->slot = kcalloc(area->nr_slots, sizeof(*area->slot), GFP_KERNEL);
	area->retired = bitmap_zalloc(pages, GFP_KERNEL);
	if (!area->slot || !area->retired)
		goto free_state;
	if (nvemu_pool_init(&area->pool, area->addr + pool, pages, PAGE_SHIFT,
			    &nvemu_nvm_ops_default))
		goto free_state;
	area->pool.wrote = nvemu_pool_wrote;
	area->pool.wrote_data = area;
	area->flags = NVEMU_PROC_AREA_PRESENT;
	nvemu_area_read_slots(area);
	goto loaded;

free_state:
	bitmap_free(area->retired);
	kfree(area->slot);
	area->retired = NULL;
	area->slot = NULL;
	dev_err(area->dev, "process area: no memory for its state; not used\n");
	area->flags = NVEMU_PROC_AREA_DAMAGED;
loaded:
	/* pairs with smp_load_acquire() in nvemu_area_get() */
	smp_store_release(&area->loaded, true);
}

/**
 * nvemu_area_get() - the process area
 *
 * Reads the area first if that waited for the restore gate, which has
 * opened since: may sleep.
 *
 * Return: the area the driver registered, or NULL.
 */
struct nvemu_area *nvemu_area_get(void)
{
	struct nvemu_area *area = READ_ONCE(nvemu_the_area);

	/* read once the restore gate is open: it may have brought the area */
	if (area && !smp_load_acquire(&area->loaded)) {
		mutex_lock(&area->lock);
		nvemu_area_load(area);
		mutex_unlock(&area->lock);
	}
	return area;
}

/**
 * nvemu_proc_area_register() - the driver offers its process area
 * @desc: the area; it stays valid until nvemu_proc_area_unregister()
 *
 * The area is formatted or checked and its slots read now, or, while a
 * restore is pending, once the restore gate opened (see nvemu_area_load()).
 *
 * Return: 0, -EBUSY when an area is registered already, -ENOMEM.
 */
int nvemu_proc_area_register(const struct nvemu_proc_area_desc *desc)
{
	struct nvemu_area *area;

	nvemu_format_check();
	if (nvemu_the_area)
		return -EBUSY;
	area = kzalloc(sizeof(*area), GFP_KERNEL);
	if (!area)
		return -ENOMEM;
	area->dev = desc->dev;
	area->ops = desc->ops;
	area->desc = desc;
	area->addr = desc->addr;
	area->size = desc->size;
	area->dev_offset = desc->dev_offset;
	area->fresh = desc->fresh;
	area->next_id = 1;
	mutex_init(&area->lock);
	spin_lock_init(&area->save_lock);
	init_waitqueue_head(&area->save_wq);
	get_random_bytes(area->boot_id, sizeof(area->boot_id));

	area->deferred = !area->ops->gate_open(area->dev);
	if (area->deferred) {
		dev_info(area->dev, "process area: read once the restore gate opens\n");
	} else {
		mutex_lock(&area->lock);
		nvemu_area_load(area);
		mutex_unlock(&area->lock);
	}
	/* pairs with READ_ONCE() in nvemu_area_get(): published complete */
	smp_store_release(&nvemu_the_area, area);
	return 0;
}

/**
 * nvemu_proc_area_unregister() - the driver takes its process area back
 * @dev: the nvemu device
 *
 * Only possible while no persistent process uses it: the driver is built
 * in, and its remove() runs at most at shutdown.
 */
void nvemu_proc_area_unregister(struct device *dev)
{
	struct nvemu_area *area = nvemu_the_area;

	if (!area || area->dev != dev || area->pgmap)
		return;
	WRITE_ONCE(nvemu_the_area, NULL);
	nvemu_pool_destroy(&area->pool);
	bitmap_free(area->retired);
	kfree(area->slot);
	kfree(area);
}

/**
 * nvemu_proc_save_begin() - a save of the NVM begins
 * @dev: the nvemu device
 *
 * Waits for the commits under way and holds new ones back until
 * nvemu_proc_save_end(): the image holds one committed generation of every
 * persistent process.
 */
void nvemu_proc_save_begin(struct device *dev)
{
	/* not nvemu_area_get(): a save window needs no read area */
	struct nvemu_area *area = READ_ONCE(nvemu_the_area);

	if (!area || area->dev != dev)
		return;
	spin_lock(&area->save_lock);
	area->saving++;
	spin_unlock(&area->save_lock);
	wait_event(area->save_wq, !READ_ONCE(area->committing));
}

/**
 * nvemu_proc_save_end() - the save that nvemu_proc_save_begin() announced ended
 * @dev: the nvemu device
 */
void nvemu_proc_save_end(struct device *dev)
{
	struct nvemu_area *area = READ_ONCE(nvemu_the_area);

	if (!area || area->dev != dev)
		return;
	spin_lock(&area->save_lock);
	if (!WARN_ON_ONCE(!area->saving))
		area->saving--;
	spin_unlock(&area->save_lock);
	wake_up_all(&area->save_wq);
}

/**
 * nvemu_area_commit_begin() - a commit may start: no save runs
 * @area: the area
 * @killable: a fatal signal ends the wait for a save
 *
 * Return: 0, or -EINTR when a fatal signal came while a save ran.
 */
int nvemu_area_commit_begin(struct nvemu_area *area, bool killable)
{
	for (;;) {
		spin_lock(&area->save_lock);
		if (!area->saving) {
			area->committing++;
			spin_unlock(&area->save_lock);
			return 0;
		}
		spin_unlock(&area->save_lock);
		if (!killable)
			wait_event(area->save_wq, !READ_ONCE(area->saving));
		else if (wait_event_killable(area->save_wq,
					     !READ_ONCE(area->saving)))
			return -EINTR;
	}
}

/**
 * nvemu_area_commit_end() - the commit nvemu_area_commit_begin() let start ended
 * @area: the area
 */
void nvemu_area_commit_end(struct nvemu_area *area)
{
	bool last;

	spin_lock(&area->save_lock);
	last = !--area->committing;
	spin_unlock(&area->save_lock);
	if (last)
		wake_up_all(&area->save_wq);
}

/* Pool index <-> struct page, through the physical runs */
static unsigned long nvemu_index_pfn(struct nvemu_area *area, u32 index)
{
	unsigned int i;

	for (i = 0; i < area->nr_runs; i++) {
		const struct nvemu_pool_run *r = &area->runs[i];

		if (index >= r->first && index < r->first + r->nr)
			return r->pfn + (index - r->first);
	}
	return 0;
}

/**
 * nvemu_pool_index_page() - the struct page of a pool page
 * @area: an enabled area
 * @index: pool index
 *
 * Return: the page, or NULL for an index outside the pool.
 */
struct page *nvemu_pool_index_page(struct nvemu_area *area, u32 index)
{
	unsigned long pfn = nvemu_index_pfn(area, index);

	return pfn ? pfn_to_page(pfn) : NULL;
}

/**
 * nvemu_page_is_pool() - whether a page is a page of this area's pool
 * @area: the area
 * @page: any page
 *
 * Return: true for a pool page.
 */
bool nvemu_page_is_pool(struct nvemu_area *area, struct page *page)
{
	return is_device_coherent_page(page) && page->pgmap == area->pgmap;
}

/**
 * nvemu_pool_page_index() - the pool index of a pool page
 * @area: an enabled area
 * @page: a page for which nvemu_page_is_pool() is true
 *
 * Return: its index.
 */
u32 nvemu_pool_page_index(struct nvemu_area *area, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);
	unsigned int i;

	for (i = 0; i < area->nr_runs; i++) {
		const struct nvemu_pool_run *r = &area->runs[i];

		if (pfn >= r->pfn && pfn < r->pfn + r->nr)
			return r->first + (pfn - r->pfn);
	}
	WARN_ON_ONCE(1);
	return 0;
}

/**
 * nvemu_pool_get_page() - allocate a pool page for process data
 * @area: an enabled area
 * @index: its pool index, out
 *
 * Return: the page, locked, with one reference (the page map's, once
 * committed), or NULL when the pool is full.
 */
struct page *nvemu_pool_get_page(struct nvemu_area *area, u32 *index)
{
	struct page *page;

	*index = nvemu_pool_alloc(&area->pool);
	if (!*index)
		return NULL;
	page = nvemu_pool_index_page(area, *index);
	zone_device_page_init(page);
	return page;
}

/**
 * nvemu_pool_retire() - a data page left its committed page map
 * @area: the area
 * @index: its pool index
 *
 * Drops the page map's reference; the page returns to the pool when the
 * last mapping of it goes (dev_pagemap_ops.page_free).
 */
void nvemu_pool_retire(struct nvemu_area *area, u32 index)
{
	if (!area->pgmap) {
		nvemu_pool_free(&area->pool, index);
		return;
	}
	set_bit(index - 1, area->retired);
	put_page(nvemu_pool_index_page(area, index));
}

static void nvemu_page_free(struct page *page)
{
	struct nvemu_area *area = page->pgmap->owner;
	u32 index = nvemu_pool_page_index(area, page);

	if (WARN_ON_ONCE(!index || !test_and_clear_bit(index - 1, area->retired)))
		return;
	nvemu_pool_free(&area->pool, index);
}

static const struct dev_pagemap_ops nvemu_pagemap_ops = {
	.page_free = nvemu_page_free,
};

static int nvemu_hold_fn(void *arg, unsigned long vpn, u32 index, bool node)
{
	struct page *page;

	if (node)
		return 0;
	page = nvemu_pool_index_page(arg, index);
	zone_device_page_init(page);
	unlock_page(page);
	return 0;
}

/* Every committed data page gets the page map's reference */
static void nvemu_area_hold_pages(struct nvemu_area *area)
{
	u32 i;

	for (i = 0; i < area->nr_slots; i++) {
		const struct nvemu_half *h;
		struct nvemu_pmap_root root;

		if (area->slot[i].state != NVEMU_SLOT_DORMANT ||
		    nvemu_slot_read(nvemu_slot_addr(area, i), &h))
			continue;
		root.index = le32_to_cpu(h->map_root);
		root.check = le32_to_cpu(h->map_root_check);
		root.levels = le32_to_cpu(h->map_levels);
		WARN_ON(nvemu_pmap_walk(&area->pool, &root, nvemu_hold_fn, area));
	}
}

/**
 * nvemu_area_enable() - give the pool struct pages, to map it into processes
 * @area: the area
 *
 * Done once, at the first nvemu run or resume after the restore gate
 * opened.  From then on /dev/nvemu0 cannot be opened for writing (the
 * area's iomem claim makes it busy).
 *
 * Return: 0, -ENODEV without a usable area, -EAGAIN while a restore is
 * pending, or the error of memremap_pages().
 */
int nvemu_area_enable(struct nvemu_area *area)
{
	struct dev_pagemap *pgmap;
	unsigned int i;
	void *addr;

	lockdep_assert_held(&area->lock);
	if (area->pgmap)
		return 0;
	if (!area->ops->gate_open(area->dev))
		return -EAGAIN;
	if (area->flags != NVEMU_PROC_AREA_PRESENT)
		return -ENODEV;
	pgmap = devm_kzalloc(area->dev,
			     struct_size(pgmap, ranges, area->nr_runs - 1),
			     GFP_KERNEL);
	if (!pgmap)
		return -ENOMEM;
	pgmap->type = MEMORY_DEVICE_COHERENT;
	pgmap->ops = &nvemu_pagemap_ops;
	pgmap->owner = area;
	pgmap->nr_range = area->nr_runs;
	for (i = 0; i < area->nr_runs; i++) {
		pgmap->ranges[i].start = PFN_PHYS(area->runs[i].pfn);
		pgmap->ranges[i].end = PFN_PHYS(area->runs[i].pfn +
						area->runs[i].nr) - 1;
	}
	addr = devm_memremap_pages(area->dev, pgmap);
	if (IS_ERR(addr)) {
		dev_err(area->dev, "process area: memremap_pages: %pe\n", addr);
		devm_kfree(area->dev, pgmap);
		return PTR_ERR(addr);
	}
	area->pgmap = pgmap;
	for (i = 0; i < area->nr_runs; i++)
		if (!devm_request_mem_region(area->dev,
					     PFN_PHYS(area->runs[i].pfn),
					     PFN_PHYS(area->runs[i].nr),
					     "nvemu process area"))
			dev_warn(area->dev, "process area: cannot claim its pages in iomem\n");
	nvemu_area_hold_pages(area);
	dev_info(area->dev, "process area enabled: %u pool pages\n",
		 area->pool.nr_pages);
	return 0;
}

/**
 * nvemu_slot_take() - take a free slot for a new persistent process
 * @area: the area
 * @uid: its owner
 *
 * Return: the slot, ARMED with a new id, or NULL when none is free.
 */
struct nvemu_slot *nvemu_slot_take(struct nvemu_area *area, kuid_t uid)
{
	u32 i;

	lockdep_assert_held(&area->lock);
	for (i = 0; i < area->nr_slots; i++) {
		struct nvemu_slot *s = &area->slot[i];

		if (s->state != NVEMU_SLOT_FREE)
			continue;
		s->state = NVEMU_SLOT_ARMED;
		s->id = area->next_id++;
		s->uid = uid;
		return s;
	}
	return NULL;
}

/**
 * nvemu_slot_release() - a slot holds no process any more
 * @area: the area
 * @slot: the slot; its pages were retired by the caller
 */
void nvemu_slot_release(struct nvemu_area *area, struct nvemu_slot *slot)
{
	lockdep_assert_held(&area->lock);
	slot->state = NVEMU_SLOT_FREE;
	slot->task = NULL;
	slot->id = 0;
}

/**
 * nvemu_slot_write() - commit a half into a slot
 * @area: the area
 * @slot: the slot
 * @half: the new half; its magic, generation and checksum are set here
 */
void nvemu_slot_write(struct nvemu_area *area, struct nvemu_slot *slot,
		      struct nvemu_half *half)
{
	void *addr = nvemu_slot_addr(area, slot->index);

	nvemu_slot_commit(area->pool.ops, addr, half);
	nvemu_area_wrote(area, addr, NVEMU_SLOT_SIZE);
}
